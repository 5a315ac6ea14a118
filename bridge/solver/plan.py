"""The static part of a simulation: node tree, mechanism instances and ions, as numpy data.

A `Plan` is built once from a SectionTree and a set of mechanisms. It fixes
everything the traced step treats as a constant (which node each instance sits
on, NEURON's matrix coefficients, ion styles, the mechanism type order), and
gives the default parameter pytree that the step takes as its argument.

Parameter pytree (what `jax.grad`/`jax.vmap` see), NEURON's names and units:
    {"cm": (nnode,) [uF/cm2],
     "mechanisms": {mechanism: {range parameter: (ninstance,)}},  # and kept ASSIGNEDs given (`assigned_starts`)
     "ions": {ion: {"ena"/"nai"/"nao"...: (nnode,)}},   # values before finitialize
     "globals": {"celsius": [degC], "v_init": [mV], "<name>_<suffix>": ..., "nai0_na_ion": ...}}
Flags that switch code paths (`usetable_<suffix>`) are static, not in the pytree.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.mechanisms import ions as ionlib
from bridge.mechanisms.protocol import Mechanism, memory_key
from bridge.morphology.nodes import NodeLayout
from bridge.morphology.tree import SectionTree
from bridge.solver import extracellular, pointer_writes, transfer
from bridge.solver.extracellular import ExtPlan
from bridge.solver.fstim import FStimPlan, fstim_plan
from bridge.solver.linear_mechanism import LinearPlan, linear_plan
from bridge.solver.long_diffusion import LongDiffusion, long_diffusion_plan
from bridge.solver.tree_solve import TreeLevels, tree_levels

HOC_OWNER = "hoc"  # a pointer target's owner for a HOC scalar (bridge.hoc.setpointer): its value is a run global
POINT_X = -1.0  # a pointer target's x for a point process's variable: its section slot holds the point's label
GLOBAL_X = -2.0  # a pointer target's x for a mechanism's GLOBAL ASSIGNED (its section slot is empty)

# NEURON 9.0.2's registration ("type") order of its built-in mechanisms.
BUILTIN_ORDER = (
    "capacitance", "pas", "extracellular", "fastpas", "na_ion", "k_ion", "hh",
    "IClamp", "AlphaSynapse", "ExpSyn", "Exp2Syn", "SEClamp", "VClamp", "OClamp", "APCount",
    "NetStim", "IntFire1", "IntFire2", "IntFire4", "PointProcessMark", "PatternStim",
)


def user_global_name(key: str, mechanism: str) -> str:
    """NEURON's name of a mechanism GLOBAL: `<name>_<suffix>`, also when the name itself ends in
    `_<suffix>` (`gamma_ih` of SUFFIX ih is `gamma_ih_ih`); the TABLE switch's key is already
    NEURON's name (`usetable_hh`)."""
    return key if key == f"usetable_{mechanism}" else f"{key}_{mechanism}"


def is_static_global(key: str) -> bool:
    """Globals that choose code paths (TABLE switches) stay Python values, outside the pytree."""
    return key.startswith("usetable")


@dataclass(frozen=True, eq=False)
class PointerSource:
    """What the instances at `positions` of a POINTER read: `kind` "v" (v[index], index a node),
    "ion" (the ion `owner`'s `var` at node index), "state" or "param" (mechanism `owner`'s `var`
    at instance index, a density mechanism's or a point process's), "diam" (`values`, the diam of the segment
    nodes `index`), "hoc" (the run global `var`, a HOC scalar: `hoc:mu`), "global" (mechanism `owner`'s GLOBAL
    ASSIGNED `var`, kept equal in every instance's state: read at instance 0, written to all)."""

    kind: str
    owner: str
    var: str
    positions: np.ndarray
    index: np.ndarray
    values: np.ndarray | None = None  # kind "diam": the segments' diam [um], a constant of the run


@dataclass(frozen=True, eq=False)
class Instances:
    """Where one mechanism lives: its instances' nodes [index], areas [um2] and labels (section, x)."""

    mechanism: Mechanism
    nodes: np.ndarray
    area: np.ndarray
    labels: tuple[tuple[str, float], ...]
    point_processes: tuple = ()  # the tree's PointProcess objects, for point mechanisms
    diam: np.ndarray | None = None  # [um] segment diameter at each instance's node (0 on zero-area nodes)
    pointers: Mapping[str, tuple[PointerSource, ...]] | None = None  # POINTER name -> what its instances read
    pointer_maps: tuple = ()  # per instance: {POINTER name: (section, x, mechanism, variable)} (the tree's)

    @property
    def name(self) -> str:
        return self.mechanism.name

    @property
    def size(self) -> int:
        return len(self.nodes)


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything about a model that is fixed during a run (numpy, never traced)."""

    layout: NodeLayout
    levels: TreeLevels
    nonroot: np.ndarray  # nodes ncell..nnode-1, the rows with a parent
    mechanisms: tuple[Instances, ...]  # type order
    ions: tuple[ionlib.IonStyle, ...]
    ion_defaults: Mapping[str, ionlib.IonDefaults]
    static_globals: Mapping[str, Mapping[str, float]]  # mechanism -> {key: value}
    global_keys: Mapping[str, Mapping[str, str]]  # mechanism -> {key: user name} (traced ones)
    defaults: dict  # the default parameter pytree (numpy)
    fstim: FStimPlan | None = None  # NEURON's fstim stimuli (solver.fstim), None without any
    function_tables: Mapping[str, Mapping[str, Any]] | None = None  # mechanism -> FUNCTION_TABLE -> values
    long_diffusion: tuple[LongDiffusion, ...] = ()  # LONGITUDINAL_DIFFUSION mechanisms (solver.long_diffusion)
    linear: LinearPlan | None = None  # LinearMechanisms (solver.linear_mechanism), None without any
    extracellular: ExtPlan | None = None  # NEURON's extracellular layers (solver.extracellular), None without
    transfers: tuple[transfer.Transfer, ...] = ()  # ParallelContext's v transfers (solver.transfer)

    @property
    def nnode(self) -> int:
        return self.layout.nnode

    def instances(self, name: str) -> Instances:
        for inst in self.mechanisms:
            if inst.name == name:
                return inst
        raise BridgeError(f"mechanism {name!r} is not used in this model")


def writes_concentration(mech: Any) -> bool:
    """True when a mechanism WRITEs an ion concentration (`cai`, `nao`, ...)."""
    for use in getattr(mech, "ions", ()):
        names = ionlib.variable_names(use.ion)
        if names["ci"] in use.write or names["co"] in use.write:
            return True
    return False


def type_order(names: Sequence[str], available: Mapping[str, Mechanism], order: Sequence[str] | None) -> list[str]:
    """Mechanism names in NEURON's order of execution (`memb_order_`: INITIAL, currents and states
    run in it): built-ins as NEURON registers them, then the others in `available`'s order
    (nrnivmodl's order of .mod files), except that a mechanism writing a concentration is moved,
    when it registers, to just after the ions (after capacitance, pas and extracellular), ahead of
    the concentration writers registered before it (init.cpp nrn_writes_conc, called by nocmodl's
    registration of such a mechanism); an explicit `order` wins."""
    if order is not None:
        rank = {n: i for i, n in enumerate(order)}
        missing = [n for n in names if n not in rank]
        if missing:
            raise BridgeError(f"mechanism order given, but it does not list {', '.join(missing)}")
        return sorted(names, key=lambda n: rank[n])
    registered = [n for n in available if n not in BUILTIN_ORDER]
    writers = [n for n in registered if writes_concentration(available[n])]
    head = list(BUILTIN_ORDER[:3])  # capacitance, pas, extracellular: before `lastion` (EXTRACELL + 1)
    sequence = head + writers[::-1] + list(BUILTIN_ORDER[3:]) + [n for n in registered if n not in writers]
    rank = {n: i for i, n in enumerate(sequence)}
    return sorted(names, key=lambda n: rank[n])


def build_plan(tree: SectionTree, layout: NodeLayout, mechanisms: Mapping[str, Mechanism],
               order: Sequence[str] | None, settings: Mapping[str, float]) -> Plan:
    """Turn a SectionTree (with its node layout) and mechanisms into a Plan with default parameters.

    `settings` holds celsius, v_init and any NEURON global by its user name
    (`usetable_hh`, `nai0_na_ion`, `gnabar_hh` is not a global...).
    """
    used = [m for m in tree.mechanism_names() if not m.endswith("_ion") and m != extracellular.NAME]
    for name in used:
        if name not in mechanisms:
            raise BridgeError(f"mechanism {name!r} is used in the model but not loaded "
                              f"(loaded: {', '.join(mechanisms) or 'none'})")
    instances = []
    mech_params: dict = {}
    for name in type_order(used, mechanisms, order):
        mech = mechanisms[name]
        _check_kind(tree, mech)
        if mech.kind == "density":
            inst, values = _density_instances(tree, layout, mech)
        else:
            inst, values = _point_instances(tree, layout, mech)
        instances.append(inst)
        mech_params[name] = values
    ion_styles, ion_defaults, ion_params = _ions(tree, layout, instances)
    instances = [_with_pointers(inst, layout, instances, {s.ion for s in ion_styles}) for inst in instances]

    static_globals: dict = {}
    global_keys: dict = {}
    globals_: dict = {"celsius": float(settings.get("celsius", 6.3)),
                      "v_init": initial_v(settings.get("v_init", -65.0), layout.nnode)}
    known = set(globals_)
    for inst in instances:
        mech = inst.mechanism
        static_globals[mech.name], global_keys[mech.name] = {}, {}
        for key, default in mech.global_parameters.items():
            user = user_global_name(key, mech.name)
            known.add(user)
            value = float(settings.get(user, default))
            if is_static_global(key):
                static_globals[mech.name][key] = value
            else:
                global_keys[mech.name][key] = user
                globals_[user] = value
        static_globals[mech.name].update(_memory(tree, mech))
    for inst in instances:  # EXTERNAL names: another mechanism's GLOBAL, the one value NEURON's C global holds
        for name in getattr(inst.mechanism, "externals", ()):
            default = _external_default(name, inst.mechanism.name, mechanisms)
            if name not in globals_:
                known.add(name)
                globals_[name] = float(settings.get(name, default))
            global_keys[inst.name][name] = name
    for style in ion_styles:
        d = ion_defaults[style.ion]
        for field, user in ionlib.global_names(style.ion).items():
            known.add(user)
            globals_[user] = float(settings.get(user, d.ci if field == "ci0" else d.co))
    # an ion NEURON has registered but no node carries: its ci0/co0 are HOC globals that change nothing (eion.cpp
    # `ion_init` sets them only on the nodes that have the ion): `cai0_ca_ion = 1e-7` on a cell without calcium
    for ion in registered_ions(mechanisms.values()):
        known.update(ionlib.global_names(ion).values())
    for key in _hoc_pointer_keys(instances):  # HOC scalars POINTERs read: globals of the run
        if key not in settings:
            raise BridgeError(f"a POINTER reads the HOC scalar {key[len(HOC_OWNER) + 1:]!r}, but the model's globals "
                              f"give no value for {key!r}")
        globals_[key] = float(settings[key])
    known.update(k for k in settings if k.startswith(HOC_OWNER + ":"))
    unknown = [k for k in settings if k not in known and k not in ("dt", "tstop", "secondorder")]
    if unknown:
        raise BridgeError(f"unknown global(s) {', '.join(sorted(unknown))}: "
                          "no loaded mechanism or ion in this model defines them")

    defaults = {"cm": np.asarray(layout.cm, float), "mechanisms": mech_params, "ions": ion_params, "globals": globals_}
    ext = None
    if extracellular.used(tree):
        ext, mech_params[extracellular.NAME] = extracellular.ext_plan(tree, layout)
    ext = pointer_writes.check(instances, ext)
    linear = linear_plan(tree, layout, None if ext is None else ext.has)
    nonroot = np.flatnonzero(layout.parent >= 0).astype(np.int32)
    return Plan(layout, tree_levels(layout.parent), nonroot, tuple(instances), tuple(ion_styles), ion_defaults,
                static_globals, global_keys, defaults, fstim_plan(tree, layout) if tree.fstims else None,
                _function_tables(tree, instances),
                tuple(long_diffusion_plan(tree, layout, inst.mechanism, inst.nodes, k)
                      for k, inst in enumerate(instances)
                      if inst.size and getattr(inst.mechanism, "long_diffusion", ())),
                linear, ext, _transfers(layout, instances, ext))


def _transfers(layout: NodeLayout, instances: list[Instances], ext: ExtPlan | None) -> tuple[transfer.Transfer, ...]:
    found = transfer.plan_transfers(layout, instances)
    if found and ext is not None:  # NEURON transfers v + vext there (fadvance.cpp nrnthread_vi_compute_)
        raise UnsupportedFeature("ParallelContext.source_var together with extracellular is not supported")
    return found


def _hoc_pointer_keys(instances: list[Instances]) -> list[str]:
    """The run globals (`hoc:mu`) the POINTERs of `instances` read, in order of first use."""
    keys = [src.var for inst in instances for sources in (inst.pointers or {}).values() for src in sources
            if src.kind == "hoc"]
    return list(dict.fromkeys(keys))


def initial_v(v_init, nnode: int):
    """`v_init` [mV] as the plan keeps it: a float (NEURON's `finitialize(v_init)`: every node), or one value
    per node in the layout's order (NEURON's `finitialize()` without an argument keeps each node's own v:
    fadvance.cpp `nrn_finitialize` sets v only when its `setv` is true)."""
    if np.ndim(v_init) == 0:
        return float(v_init)
    values = np.asarray(v_init, float)
    if values.shape != (nnode,):
        raise BridgeError(f"v_init per node needs {nnode} values (one per node), got shape {values.shape}")
    return values


def _memory(tree: SectionTree, mech: Mechanism) -> dict[str, Any]:
    """`mech`'s file LOCALs and GLOBAL ASSIGNEDs as a HOC call left them (`tree.mechanism_memory`), under
    `memory_key`: INITIAL starts from them (static: they are constants of the compiled run)."""
    out: dict[str, Any] = {}
    sizes = getattr(mech, "array_sizes", {})
    for name, value in getattr(tree, "mechanism_memory", {}).get(mech.name, {}).items():
        if name not in mech.state_defaults:
            raise BridgeError(f"{mech.name}: a value was given for {name!r}, which it does not keep")
        size = sizes.get(name, 0)
        if (np.ndim(value) != 0 or size) and np.shape(value) != (size,):
            raise BridgeError(f"{mech.name}: {name} needs {size or 'one'} value(s), got shape {np.shape(value)}")
        out[memory_key(name)] = tuple(float(x) for x in value) if size else float(value)
    return out


def _function_tables(tree: SectionTree, instances: list[Instances]) -> dict[str, dict[str, Any]]:
    """Each mechanism's FUNCTION_TABLE values (`tree.function_tables["<name>_<suffix>"]`, from HOC's
    `table_<name>_<suffix>(...)`). A table without values stops the run, as NEURON's
    hoc_func_table does ("table not specified")."""
    out: dict[str, dict[str, Any]] = {}
    for inst in instances:
        for name in getattr(inst.mechanism, "function_tables", ()):
            key = f"{name}_{inst.name}"
            if key not in tree.function_tables:
                raise BridgeError(f"FUNCTION_TABLE {name} of {inst.name} has no values: NEURON stops with 'table not "
                                  f"specified in hoc_func_table' (give them with table_{key}(...))")
            out.setdefault(inst.name, {})[name] = tree.function_tables[key]
    return out


def _external_default(name: str, reader: str, mechanisms: Mapping[str, Mechanism]) -> float:
    """The default of the GLOBAL `name` (`gscale_oth`) of a loaded mechanism that the model does not
    insert (its C global exists in NEURON all the same); refuse any other name."""
    for mech in mechanisms.values():
        for key, default in mech.global_parameters.items():
            if user_global_name(key, mech.name) == name and not is_static_global(key):
                if key in getattr(mech, "assigned_global_parameters", ()):
                    break
                return float(default)
    raise UnsupportedFeature(f"{reader}: EXTERNAL {name} is not a GLOBAL PARAMETER of a loaded mechanism that "
                             "no block assigns (NEURON 9 loads a mechanism only when its EXTERNALs are C globals: "
                             "another mechanism's GLOBAL or NEURON's own)")


def _check_kind(tree: SectionTree, mech: Mechanism) -> None:
    """A density mechanism must be inserted, a point process placed; refuse the other use."""
    if mech.kind == "point":
        inserted = [sec.name for sec in tree if mech.name in sec.mechanisms]
        if inserted:
            raise BridgeError(f"{mech.name} is a point process, but it is inserted like a density mechanism in "
                              f"{', '.join(inserted)}; place it with add_point_process(...)")
    elif any(pp.name == mech.name for pp in tree.point_processes):
        raise BridgeError(f"{mech.name} is a density mechanism (SUFFIX), not a point process; insert it in sections")


def assigned_starts(mech: Mechanism) -> tuple[str, ...]:
    """The kept ASSIGNED scalars of `mech` a model may give a value before finitialize (util.mod's RANGE `dist`,
    set from HOC): NEURON keeps what HOC wrote in the variable until code assigns it, so the given value is the
    variable's value when INITIAL starts (STATEs are reset to x0 there, and are not among them)."""
    return tuple(k for k in mech.state_defaults if k not in mech.states and k not in mech.range_parameters)


def _range_values(mech: Mechanism, given: Mapping[str, object], where: str) -> None:
    """Refuse a parameter `mech` does not have among the names of `given` (a kept ASSIGNED is allowed)."""
    starts = assigned_starts(mech)
    for key in given:
        if key not in mech.range_parameters and key not in starts:
            raise BridgeError(f"{where}: {mech.name} has no range parameter {key!r} "
                              f"(it has {', '.join(mech.range_parameters) or 'none'})")


def _given_starts(mech: Mechanism, given: Iterable[Mapping[str, object]]) -> dict[str, float]:
    """The kept ASSIGNEDs some instance was given a value for, with their default (`assigned_starts`)."""
    keys = {k for g in given for k in g}
    return {k: float(mech.state_defaults[k]) for k in assigned_starts(mech) if k in keys}


def _streams_given(mech: Mechanism, given, where: str) -> None:
    """Every instance of a mechanism with random streams (NMODL RANDOM, scop_random) needs them given: NEURON
    numbers each instance's streams (bridge.hoc.randomvars does so for HOC models); one default for all would
    draw the same numbers everywhere."""
    missing = [k for k in getattr(mech, "random_fields", ()) if k not in given]
    if missing:
        more = ", ..." if len(missing) > 3 else ""
        raise BridgeError(f"{where}: {mech.name} draws random numbers, but its stream parameters "
                          f"({', '.join(missing[:3])}{more}) were not given; a HOC model sets them as NEURON "
                          "numbers its streams (load it with load_hoc)")


def _density_instances(tree: SectionTree, layout: NodeLayout, mech: Mechanism):
    rows = []  # (node, section, x, {POINTER: target})
    starts = _given_starts(mech, [sec.mechanisms[mech.name] for sec in tree if mech.name in sec.mechanisms])
    arrays = [k for k in starts if k in getattr(mech, "array_sizes", {})]
    if arrays:
        raise UnsupportedFeature(f"{mech.name}: values given for its ASSIGNED array {arrays[0]} per segment: bridge "
                                 "gives a density mechanism's ASSIGNED scalars only")
    for sec in tree:
        if mech.name not in sec.mechanisms:
            continue
        given = sec.mechanisms[mech.name]
        _range_values(mech, given, f"section {sec.name}")
        _streams_given(mech, [k for k in given if bool(np.all(sec.is_set(mech.name, k)))], f"section {sec.name}")
        nodes = layout.segment_nodes(sec.name)
        for j, node in enumerate(nodes):
            targets = {p: t for (m, p, k), t in sec.pointers.items() if m == mech.name and k == j}
            rows.append((int(node), sec.name, (j + 0.5) / sec.nseg, targets))
    # NEURON keeps a mechanism's instances in node order (a stable sort, as list.sort)
    order = np.argsort(np.array([r[0] for r in rows], dtype=np.int64), kind="stable")
    rows = [rows[i] for i in order]
    nodes = np.array([r[0] for r in rows], dtype=np.int32)
    # the parameters, then the ASSIGNEDs HOC gave a start value
    values = density_values(tree, layout, mech, {**mech.range_parameters, **starts})
    inst = Instances(mech, nodes, np.asarray(layout.area, float)[nodes], tuple((r[1], r[2]) for r in rows),
                     diam=np.asarray(layout.diam, float)[nodes], pointer_maps=tuple(r[3] for r in rows))
    return inst, values


def _point_instances(tree: SectionTree, layout: NodeLayout, mech: Mechanism):
    pps = _memb_list_order(tree, layout, [pp for pp in tree.point_processes if pp.name == mech.name])
    for pp in pps:
        _range_values(mech, pp.params, f"{pp.name} at {pp.section}({pp.x})")
        _streams_given(mech, pp.params, f"{pp.name} at {pp.section}({pp.x})")
    nodes = np.array([layout.node(pp.section, pp.x) for pp in pps], dtype=np.int32)
    values = point_values(mech, pps, list(_given_starts(mech, [pp.params for pp in pps])))
    inst = Instances(mech, nodes, np.asarray(layout.area, float)[nodes], tuple((pp.section, pp.x) for pp in pps),
                     tuple(pps), diam=np.asarray(layout.diam, float)[nodes],
                     pointer_maps=tuple(pp.pointers for pp in pps))
    return inst, values


def density_values(tree: SectionTree, layout: NodeLayout, mech: Mechanism,
                   defaults: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Each instance's value of each key of `defaults` (range parameters, and kept ASSIGNEDs given a start
    value) in the instances' order (node order, a stable sort of the sections' segments in tree order, as
    `_density_instances` lays them out); a segment where the model set no value takes the default (a value set
    to NaN stays NaN)."""
    chunks: dict[str, list[np.ndarray]] = {key: [] for key in defaults}  # per section, in tree order
    nodes = []
    for sec in tree:
        if mech.name not in sec.mechanisms:
            continue
        nodes.append(layout.segment_nodes(sec.name))
        for key, default in defaults.items():
            chunks[key].append(sec.get_range(mech.name, key, default)[:len(nodes[-1])])
    order = np.argsort(np.concatenate(nodes).astype(np.int64) if nodes else np.zeros(0, np.int64), kind="stable")
    return {k: (np.concatenate(c).astype(float) if c else np.zeros(0))[order] for k, c in chunks.items()}


def point_values(mech: Mechanism, pps: Sequence[Any], starts: Sequence[str]) -> dict[str, np.ndarray]:
    """The range parameters of the point processes `pps` (in their Memb_list order) and the kept ASSIGNEDs
    `starts` some of them were given (an array's: (instances, size)), each default where not given."""
    values = {k: np.array([float(pp.params.get(k, d)) for pp in pps], dtype=float)
              for k, d in mech.range_parameters.items()}
    sizes = getattr(mech, "array_sizes", {})
    for k in starts:
        d = float(mech.state_defaults[k])
        shape = (sizes[k],) if k in sizes else ()
        values[k] = np.array([np.broadcast_to(np.asarray(pp.params.get(k, d), float), shape) for pp in pps],
                             dtype=float).reshape((len(pps), *shape))
    return values


def _memb_list_order(tree: SectionTree, layout: NodeLayout, pps: list) -> list:
    """A point mechanism's instances in NEURON's order (its Memb_list, which INITIAL, BREAKPOINT and the
    INITIAL net_sends follow): node order, and in one node newest first, as multicore.cpp
    `nrn_thread_memblist_setup` walks each node's property list, to whose head treeset.cpp `prop_alloc` puts a
    new (or moved: point.cpp `nrn_loc_point_process`) point process. `tree.point_processes` holds them in the
    order they were placed."""
    placed = {id(pp): k for k, pp in enumerate(tree.point_processes)}
    return sorted(pps, key=lambda pp: (layout.node(pp.section, pp.x), -placed[id(pp)]))


def _with_pointers(inst: Instances, layout: NodeLayout, instances: list[Instances], ions: set[str]) -> Instances:
    """`inst` with the sources of its POINTERs (`PointProcess.pointers`, `Section.pointers`). NEURON
    refuses to run with a POINTER unset ("...was not made to point to anything", nrnoc), and so
    does bridge."""
    names = tuple(getattr(inst.mechanism, "pointers", ()))
    if not names:
        return inst
    out = {}
    for name in names:
        groups: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
        for k, targets in enumerate(inst.pointer_maps):
            where = f"{inst.name} at {inst.labels[k][0]}({inst.labels[k][1]:g})"
            if k < len(inst.point_processes):
                where = inst.point_processes[k].label or where
            if name not in targets:
                raise BridgeError(f"POINTER {name} of {where} was not made to point to anything (setpointer)")
            sec, x, owner, var = targets[name]
            kind, owner, index = _pointer_target(layout, instances, ions, sec, x, owner, var, f"{where}: {name}")
            if kind == "global":
                _global_before_owner(instances, inst.name, owner, var, f"{where}: {name}")
            groups.setdefault((kind, owner, var), []).append((k, index))
        out[name] = tuple(_source(layout, kind, owner, var, rows) for (kind, owner, var), rows in groups.items())
    return dataclasses.replace(inst, pointers=out)


def _source(layout: NodeLayout, kind: str, owner: str, var: str, rows: list[tuple[int, int]]) -> PointerSource:
    index = np.array([i for _, i in rows], np.int32)
    values = np.asarray(layout.diam, float)[index] if kind == "diam" else None
    return PointerSource(kind, owner, var, np.array([p for p, _ in rows], np.int32), index, values)


def _pointer_target(layout: NodeLayout, instances: list[Instances], ions: set[str], sec: str, x: float,
                    owner: str, var: str, what: str) -> tuple[str, str, int]:
    """(kind, owner, index) of the variable `var` of `owner` ("" for v, "ca_ion", "hh") at sec(x); of a point
    process's variable when x is POINT_X (sec is its label), of a HOC scalar when owner is HOC_OWNER."""
    if owner == HOC_OWNER:
        return "hoc", "", 0
    if x == POINT_X:
        return _point_target(instances, sec, owner, var, what)
    if x == GLOBAL_X:
        return _global_target(instances, owner, var, what)
    if owner == "morphology":  # `sec.diam(x)`: the segment at x, 0 and 1 included (NEURON's nrn_rangepointer)
        nodes = layout.segment_nodes(sec)
        return "diam", "", int(nodes[min(max(int(len(nodes) * x), 0), len(nodes) - 1)])
    if owner == extracellular.NAME:  # e_extracellular, i_membrane, vext: the segment at x (nrn_rangepointer)
        if var not in ("e_extracellular", "i_membrane", "vext0", "vext1"):
            raise BridgeError(f"setpointer {what}: bridge connects a POINTER to e_extracellular, i_membrane and "
                              f"vext of extracellular, not {var}")
        nodes = layout.segment_nodes(sec)
        return "ext", owner, int(nodes[min(max(int(len(nodes) * x), 0), len(nodes) - 1)])
    if owner == "":
        return "v", "", int(layout.node(sec, x))
    # any other range variable: the segment at x, 0 and 1 included (cabcode.cpp nrn_rangepointer's node_exact;
    # the zero-area end nodes carry no mechanism or ion)
    nodes = layout.segment_nodes(sec)
    node = int(nodes[min(max(int(len(nodes) * x), 0), len(nodes) - 1)])
    if owner.endswith("_ion"):
        ion = owner[: -len("_ion")]
        if ion not in ions:
            raise BridgeError(f"setpointer {what}: {var} is not in use at {sec}({x:g})")
        return "ion", ion, node
    for other in instances:
        if other.name != owner:
            continue
        hit = np.flatnonzero(other.nodes == node)
        if other.mechanism.kind == "density" and len(hit):
            if var in other.mechanism.state_defaults:
                return "state", owner, int(hit[0])
            if var in other.mechanism.range_parameters:
                return "param", owner, int(hit[0])
    raise BridgeError(f"setpointer {what}: {var}_{owner} is not a range variable at {sec}({x:g})")


def _global_target(instances: list[Instances], owner: str, var: str, what: str) -> tuple[str, str, int]:
    """("global", owner, 0) for the GLOBAL ASSIGNED `var` of `owner`: NEURON's one double, which bridge keeps in
    every instance's state (equal in all; solver.pointer_writes writes them all)."""
    for other in instances:
        if other.name == owner and other.size and var in other.mechanism.state_defaults:
            if var in getattr(other.mechanism, "array_sizes", {}):
                break
            return "global", owner, 0
    raise UnsupportedFeature(f"setpointer {what}: {var}_{owner}, a GLOBAL of {owner}, which no section or point "
                             "process of the run has: bridge keeps a GLOBAL ASSIGNED with its mechanism's instances "
                             "(and refuses a GLOBAL array as a POINTER's target)")


def _global_before_owner(instances: list[Instances], holder: str, owner: str, var: str, what: str) -> None:
    """The INITIAL of a POINTER's mechanism (which surely assigns it: bridge.hoc.setpointer) must run before the
    INITIAL of the GLOBAL's owner, else the owner reads the value the last run left (NEURON's memory)."""
    names = [i.name for i in instances]
    if holder != owner and names.index(holder) > names.index(owner):
        raise UnsupportedFeature(f"setpointer {what} to {var}_{owner}: {owner}'s INITIAL runs before {holder}'s (type "
                                 f"order) and reads the GLOBAL {var} as NEURON's last run left it, which bridge does "
                                 "not carry")


def _point_target(instances: list[Instances], label: str, owner: str, var: str, what: str) -> tuple[str, str, int]:
    """(kind, owner, index) of the variable `var` of the point process labelled `label` (an instance of `owner`)."""
    for other in instances:
        if other.name != owner:
            continue
        for i, pp in enumerate(other.point_processes):
            if pp.label == label:
                if var in other.mechanism.state_defaults:
                    return "state", owner, i
                if var in other.mechanism.range_parameters:
                    return "param", owner, i
    raise BridgeError(f"setpointer {what}: {label}.{var} is not a variable of a point process in the model")


def registered_ions(mechanisms: Iterable[Mechanism]) -> set[str]:
    """The ions NEURON knows: na, k, ca (bridge's HOC catalog, `Catalog.ions`) and those of the loaded mechanisms."""
    return set(ionlib.DEFAULTS) | {use.ion for mech in mechanisms for use in mech.ions}


def _ions(tree: SectionTree, layout: NodeLayout, instances: list[Instances]):
    """Ion species in use, their per-node styles and per-node initial values (tree overrides included)."""
    n = layout.nnode
    uses: dict[str, list] = {}
    valence: dict[str, float | None] = {}
    for inst in instances:
        for use in inst.mechanism.ions:
            uses.setdefault(use.ion, []).append((inst.nodes, use.read, use.write))
            if use.valence is not None:
                valence[use.ion] = use.valence
            else:
                valence.setdefault(use.ion, None)
    for sec in tree:  # the style a point process promoted on nodes that nseg copied (tree.Section.ion_promoted)
        for ion, levels in sec.ion_promoted.items():
            nodes = layout.segment_nodes(sec.name)
            for code in sorted(set(levels.tolist()) - {0}):
                read, write = ionlib.promoted_use(ion, code % 4, code // 4)
                uses.setdefault(ion, []).append((nodes[levels == code], read, write))
                valence.setdefault(ion, None)
    for sec in tree:  # ions set by the user (`na_ion`) exist on those nodes too
        for mname in sec.mechanisms:
            if mname.endswith("_ion"):
                ion = mname[: -len("_ion")]
                uses.setdefault(ion, []).append((layout.segment_nodes(sec.name), (), ()))
                valence.setdefault(ion, None)
    styles, defaults, params = [], {}, {}
    for ion in uses:
        d = ionlib.ion_defaults(ion, valence[ion])
        defaults[ion] = d
        overrides = [(layout.segment_nodes(sec.name), sec.ion_styles[ion]) for sec in tree if ion in sec.ion_styles]
        styles.append(ionlib.ion_style(ion, d.valence, n, uses[ion], overrides))
        params[ion] = _ion_values(tree, layout, ion, ionlib.initial_values(ion, d, n))
    return styles, defaults, params


def _ion_values(tree: SectionTree, layout: NodeLayout, ion: str,
               values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-node ion values: NEURON's `values`, replaced on the segments where a section's
    `mechanisms['<ion>_ion']` set one (NaN included: NEURON computes with it)."""
    current = ionlib.variable_names(ion)["cur"]
    for sec in tree:
        given = sec.mechanisms.get(f"{ion}_ion", {})
        nodes = layout.segment_nodes(sec.name)
        for key in given:
            if key == current and key not in values:  # the current before finitialize (bridge.solver.step)
                values[key] = np.zeros(layout.nnode)
            if key not in values:
                raise BridgeError(f"{ion}_ion has no variable {key!r} (it has {', '.join(values)}) "
                                  f"(set through a section's mechanisms['{ion}_ion'])")
            mask = sec.is_set(f"{ion}_ion", key)
            values[key][nodes[mask]] = sec.get_range(f"{ion}_ion", key, math.nan)[mask]
    return values
