"""NMODL FUNCTIONs and PROCEDUREs called from HOC: `rates_hh(v)`, `alpha_kd(-50)`, `syn.f(x)`, `setdata_hh(x)`.

NEURON makes each FUNCTION and PROCEDURE of a density mechanism the HOC function `name_suffix`
and each one of a point process a method of its objects (nocmodl, nocpout.cpp `hocfunc`). A
density mechanism's call runs on the instance `setdata_suffix(x)` chose in the accessed section
(cabcode.cpp `hoc_getdata_range`); one whose code (or the code it calls) uses a RANGE name, a
STATE or a current without such an instance is NEURON's error "No data for name_suffix"
(nocpout.cpp `func_needs_setdata`). A PROCEDURE returns 1.

bridge runs the translated function (`TranslatedMechanism.call_hoc`, outside JAX, C's arithmetic)
with the values HOC sees now: the instance's range and ion variables read as HOC reads them
(the live run's after finitialize()), GLOBALs, celsius, dt, t. What it assigns is written back as
a HOC assignment would be: range variables of that instance, GLOBAL PARAMETERs (`k_fx`), and the
GLOBAL ASSIGNEDs (`minf_fx`), which HOC then reads (until the next run request, after which bridge
does not know the value NEURON's run leaves there and refuses the read). A TABLE is built and
looked up as NEURON's HOC wrapper does (`_check_<name>` then the table, or the direct code when
`usetable_<suffix>` is 0); the check rebuilds the table only when a DEPEND value changed since the last
build, in a run or an earlier call (the live run's TABLE memory, `bridge.hoc.live_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bridge.errors import BridgeError
from bridge.hoc import call_memory, global_assigned
from bridge.hoc.bindings import MechanismVariable
from bridge.hoc.mod_library import is_library_key
from bridge.hoc.randomvars import SCOP_KEY, scop_value
from bridge.hoc.section_memory import assign_range
from bridge.hoc.values import Sec, Segment, is_number

SETDATA = "setdata_"


@dataclass(frozen=True)
class AssignedGlobal:
    """A binding: the GLOBAL ASSIGNED `name` (`minf_fx`) of mechanism `mechanism` (variable `var`)."""

    name: str
    mechanism: str
    var: str


@dataclass
class _Instance:
    """Where a call runs: a density mechanism at (sec, x) or a point process object."""

    sec: Sec
    x: float
    point: object | None = None  # the PointProcessObject


def _translation(model, mech: str):
    """The translated mechanism (cached with initstate's translations)."""
    import bridge.solver  # noqa: F401  (turns on JAX's float64 mode, which TABLE arrays need)
    from bridge.nmodl.load import builtin_mechanisms, load_mod, load_program  # the translator: only when HOC calls

    cache = model.translations
    if mech not in cache:
        path = model.catalog.file_of(mech)
        builtin = builtin_mechanisms()
        reduced = model.catalog.library_without_c(mech)  # (bridge.hoc.verbatim_library)
        if reduced is not None:
            cache[mech] = load_program(reduced, str(path), limits=model.catalog.roots.limits)
        else:
            cache[mech] = builtin[mech] if mech in builtin and builtin[mech].source_file == str(path) \
                else load_mod(path, roots=model.catalog.roots)
    return cache[mech]


# -- setdata_<suffix>(x) ----------------------------------------------------------------------
def setdata(interp, mech: str, args: list, loc) -> float:
    """`setdata_suffix(x)`: the instance later calls of the mechanism's functions use (the accessed
    section at x, or a segment)."""
    model = interp.model
    if len(args) != 1:
        raise interp.error(f"{SETDATA}{mech} takes one argument, x", loc)
    if isinstance(args[0], Segment):
        sec, x = args[0].sec, args[0].x
    elif is_number(args[0]):
        sec, x = model.current(interp, loc), float(args[0])
    else:
        raise interp.error(f"{SETDATA}{mech}: the argument must be x in [0, 1]", loc)
    if not 0.0 <= x <= 1.0:
        raise interp.error(f"{SETDATA}{mech}: x = {x:g} is outside [0, 1]", loc)
    if mech not in sec.data.mechanisms:
        raise interp.error(f"{mech} mechanism not inserted in section {sec.name}", loc)
    model.__dict__.setdefault("nmodl_setdata", {})[mech] = (sec, x, sec.data.nseg)
    return 1.0


def _setdata_instance(interp, mech: str, name: str, loc) -> _Instance | None:
    found = interp.model.__dict__.get("nmodl_setdata", {}).get(mech)
    if found is None:
        return None
    sec, x, nseg = found
    if not sec.alive or mech not in sec.data.mechanisms or sec.data.nseg != nseg:
        raise interp.error(f"No data for {name}_{mech}: the instance setdata_{mech} chose no longer exists "
                           f"(NEURON's error)", loc)
    return _Instance(sec, x)


# -- calls ------------------------------------------------------------------------------------
def call_by_name(interp, name: str, args, loc) -> float | None:
    """`setdata_suffix(x)` or `name_suffix(args)` of a density mechanism (`args()` evaluates the
    arguments); None when `name` is neither."""
    catalog = interp.model.catalog
    if name.startswith(SETDATA) and name[len(SETDATA):] in catalog and not name.endswith("_ion"):
        mech = name[len(SETDATA):]
        if catalog.get(mech).kind == "density":
            return setdata(interp, mech, args(), loc)
    found = catalog.lookup_function(name)
    if found is None or catalog.get(found[0]).kind not in ("density", "library"):
        return None  # a point process's FUNCTION is a method of its objects only, as in NEURON
    return call_density(interp, found[0], found[1], args(), loc)


def call_density(interp, mech: str, name: str, args: list, loc) -> float:
    """`name_suffix(args)` of a density mechanism."""
    info = interp.model.catalog.get(mech)
    callable_ = info.calls.callables[name]
    inst = _setdata_instance(interp, mech, name, loc)
    if inst is None and any(info.calls.roles[n] in ("range", "ion") for n in callable_.names):
        raise interp.error(f"No data for {name}_{mech}. Requires prior call to setdata_{mech} and that the "
                           "specified mechanism instance still be in existence (NEURON's error: the code uses "
                           "the mechanism's RANGE variables)", loc)
    return _call(interp, mech, info, name, args, inst, info.hoc_name(name), loc)


def call_point(interp, obj, name: str, args: list, loc) -> float:
    """`pp.name(args)` of a point process object."""
    if obj.pp is None:
        raise interp.error(f"{obj}.{name}(): {obj} has no location", loc)
    return _call(interp, obj.cls, obj.info, name, args, _Instance(obj.sec, obj.pp.x, obj), f"{obj}.{name}", loc)


def _call(interp, mech: str, info, name: str, args: list, inst: _Instance | None, label: str, loc) -> float:
    calls = info.calls
    callable_ = calls.callables[name]
    if len(args) != callable_.nargs:
        raise interp.error(f"{label} takes {callable_.nargs} argument(s), not {len(args)}", loc)
    if not all(is_number(a) for a in args):
        raise interp.error(f"{label}: the arguments must be numbers", loc)
    _check(interp, info, callable_, label, loc)
    model = interp.model
    translated = _translation(model, mech)
    # an array the call assigns element by element keeps its other elements: it is read too
    used = callable_.reads | {n for n in callable_.writes if call_memory.size_of(info, n)}
    values = {n: _number(_read(interp, mech, info, n, inst, label, loc)) for n in sorted(used)
              if calls.roles[n] != "constant"}
    env = _env(interp, mech, info, translated, callable_, loc)
    scop = SCOP_KEY in getattr(translated, "random_fields", ())
    if scop:  # NEURON's one scop_random value (bridge.hoc.randomvars): a seed() or draw from HOC changes it
        values[SCOP_KEY] = np.float64(scop_value(interp, model))
    try:
        value, scope = translated.call_hoc(name, tuple(np.float64(float(a)) for a in args), values, env)
    except BridgeError as err:
        raise interp.error(f"{label}: {err.message}", loc) from None
    if scop:
        scop_value(interp, model, int(scope[SCOP_KEY]))
    # the GLOBAL ASSIGNEDs last: their values are stamped with the live run's state after the other writes
    for n in sorted(callable_.writes, key=lambda n: (calls.roles[n] == "global_assigned", n)):
        _write(interp, mech, info, n, _value(scope[n], call_memory.size_of(info, n)), inst, label, loc)
    interp.statements += 1
    return float(value)


def _number(x):
    """A value for the translated call: np.float64, or a float64 array (an array variable)."""
    return np.array(x, np.float64) if np.ndim(x) else np.float64(x)


def _value(x, size: int):
    """What the call left in a name: a float, or a tuple of `size` floats (an array variable)."""
    return tuple(float(e) for e in np.asarray(x, float).reshape(-1)) if size else float(x)


def _check(interp, info, callable_, label: str, loc) -> None:
    """Refuse what bridge cannot run from HOC exactly, naming the construct."""
    calls = info.calls
    for n in sorted(callable_.names):
        role = calls.roles[n]
        if role.startswith("unsupported"):
            raise interp.refuse(f"{label}: calling it from HOC is not supported: it uses {role[13:]}", loc)
        if n in callable_.writes and role == "ion":
            raise interp.refuse(f"{label}: calling it from HOC is not supported: it assigns the ion variable {n}",
                                loc)
        if n in callable_.writes and role == "global_assigned" and n in calls.shared_globals \
                and not call_memory.size_of(info, n):  # an array: bridge.hoc.call_memory
            raise interp.refuse(f"{label}: calling it from HOC is not supported: it assigns the GLOBAL {n}, which "
                                "the mechanism's blocks read before they assign it, so the value would reach the "
                                "run, and bridge's run does not start from it", loc)
    for t in sorted(callable_.tabulated):
        table = calls.callables[t]
        inst_names = sorted(n for n in table.reads if calls.roles[n] in ("range", "ion"))
        if inst_names:
            raise interp.refuse(f"{label}: calling it from HOC is not supported: its TABLE ({t}) is built from "
                                f"{', '.join(inst_names)} of an instance", loc)
        side = sorted(n for n in table.writes if calls.roles[n] == "global_assigned")
        if side and table.procedure:
            # the globals a tabulated PROCEDURE assigns besides its TABLE names keep what the last table
            # point left: bridge does not know when NEURON last built the table
            listed = _table_names(info, t)
            extra = [n for n in side if n not in listed]
            if extra:
                raise interp.refuse(f"{label}: calling it from HOC is not supported: the tabulated PROCEDURE {t} "
                                    f"also assigns the GLOBAL {', '.join(extra)}", loc)


def _table_names(info, name: str) -> set[str]:
    return set(info.calls.table_names.get(name, ()))


def _env(interp, mech: str, info, translated, callable_, loc):
    from bridge.mechanisms.protocol import Env

    model = interp.model
    g = model.globals
    globals_ = {}
    for k in translated.global_parameters:
        hoc = k if k == f"usetable_{mech}" else info.global_name(k)
        if hoc in g or model.known_global(hoc):
            globals_[k] = np.float64(model.read_global(hoc, loc, interp))
    env = Env(t=np.float64(g["t"]), dt=np.float64(g["dt"]), celsius=np.float64(g["celsius"]), globals=globals_,
              secondorder=int(g["secondorder"]))
    if callable_.tabulated and globals_.get(f"usetable_{mech}", 1.0):
        if info.calls.table_presets:  # bridge.nmodl.analysis.table_globals
            raise interp.refuse(f"calling a tabulated FUNCTION or PROCEDURE of {mech} from HOC: its TABLE reads "
                                f"the GLOBAL {', '.join(sorted(info.calls.table_presets))} that INITIAL assigns, "
                                "and NEURON builds the table at the first call ever (from HOC before finitialize(), "
                                "with the value the GLOBAL holds then) and keeps it; bridge does not track that", loc)
        live = model.live  # the check happens after what HOC asked for so far: that is simulated first
        live.flush()
        memory = live.tables_now() or {}
        try:
            # NEURON's `_hoc_f` checks f's own TABLE only; in a file nocmodl does not vectorize each tabulated
            # function f's code calls checks its own first (nocmodl: `#if 1 _check_<g>()`); other TABLEs stay
            checked = {callable_.name} | (set() if info.calls.vectorized else set(callable_.tabulated))
            tables, kept = translated.prepare_kept(env, memory.get(mech), "call:" + ",".join(sorted(checked)))
        except BridgeError as err:
            raise interp.error(f"{mech}: building its TABLE: {err.message}", loc) from None
        _refuse_unbuilt(interp, mech, translated, callable_, kept, loc)
        if kept is not None:
            live.set_tables({**memory, mech: kept})
        env = Env(t=env.t, dt=env.dt, celsius=env.celsius, globals=globals_, secondorder=env.secondorder,
                  tables=tables)
    return env


def _refuse_unbuilt(interp, mech: str, translated, callable_, memory, loc) -> None:
    """Refuse a call whose code looks up a TABLE no check has built yet: NEURON's table is then memory
    nothing has filled (nocmodl allocates it at load and fills it at the first `_check_<g>`)."""
    if memory is None:
        return
    for ((_, names), m) in zip(translated.table_groups, memory, strict=True):
        used = sorted(set(names) & callable_.tabulated)
        if used and not bool(m["built"]):
            raise interp.refuse(f"calling {callable_.name}_{mech} from HOC: it looks up the TABLE of "
                                f"{', '.join(used)}, which NEURON has not built yet (no finitialize() or call "
                                "of that function since the model loaded), so NEURON would read a table "
                                "nothing has filled", loc)


# -- values -----------------------------------------------------------------------------------
def _read(interp, mech: str, info, n: str, inst: _Instance | None, label: str, loc):
    model = interp.model
    role = info.calls.roles[n]
    if role == "setting":
        return float(model.globals[n])
    if role == "global":
        hoc = info.global_name(n)
        if hoc not in model.globals and not model.known_global(hoc):
            raise interp.error(f"{hoc} is not a GLOBAL of {mech}", loc)
        return float(model.read_global(hoc, loc, interp))
    if call_memory.is_memory(info, n):
        return call_memory.read(interp, mech, info, n, label, loc)
    if role == "global_assigned":
        return read_assigned_global(interp, AssignedGlobal(info.global_name(n), mech, n), loc)
    assert inst is not None  # call_density refused a call without an instance
    if role == "ion":
        var = MechanismVariable(n, f"{info.calls.ion_of[n]}_ion")
        return float(model.get_range(inst.sec, var, inst.x, loc, interp))
    if inst.point is not None:
        return float(inst.point._read(interp, n, loc))
    return float(model.get_range(inst.sec, MechanismVariable(n, mech), inst.x, loc, interp))


def _write(interp, mech: str, info, n: str, value, inst: _Instance | None, label: str, loc) -> None:
    model = interp.model
    role = info.calls.roles[n]
    if role == "global":
        model.set_global(info.global_name(n), value)
    elif call_memory.is_memory(info, n):
        call_memory.write(interp, mech, info, n, value, loc)
    elif role == "global_assigned":
        global_assigned.written(interp, mech, n, value, loc)  # NEURON's C variable: the run reads it too
        _store(model)[info.global_name(n)] = (value, _stamp(model, mech))
    elif role == "range" and inst is not None and inst.point is not None:
        inst.point._assign(interp, n, value, loc)
    elif role == "range" and inst is not None and n in info.calls.range_assigned:
        _keep_assigned(interp, mech, info, n, value, inst, loc)
    elif role == "range" and inst is not None:
        assign_range(interp, inst.sec, MechanismVariable(n, mech), value, inst.x, loc)
    else:
        raise interp.refuse(f"{mech}: a call from HOC assigns {n} ({role}), which bridge does not write back", loc)


def _keep_assigned(interp, mech: str, info, n: str, value: float, inst: _Instance, loc) -> None:
    """A RANGE ASSIGNED (`tau`, hh's `minf`): for HOC to read back before finitialize(), into the live run's
    state after it. Before finitialize() it must be one that INITIAL overwrites: bridge's run starts such
    variables from 0, NEURON from what HOC left."""
    model = interp.model
    if model.initialized is None and n not in info.calls.initial_sets:
        raise interp.refuse(f"{mech}: a call from HOC assigns the RANGE ASSIGNED {n}, which the mechanism's INITIAL "
                            "does not surely assign before it reads it, and bridge's run starts it from 0, not from "
                            "HOC's value", loc)
    model.mutations += 1
    if inst.point is not None:
        inst.point.preinit[n] = value
        if model.initialized is not None:
            try:
                done = model.live.assign_point(str(inst.point), mech, n, value)
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
            if not done:
                raise interp.error(f"{mech}: bridge's run keeps no {n} of {inst.point} to assign", loc)
        return
    j = inst.sec.data.segment(inst.x)
    inst.sec.preinit.setdefault((mech, n), {})[j] = value
    if model.initialized is not None:
        try:
            done = model.live.assign(inst.sec.name, j, f"{n}_{mech}", value)
        except BridgeError as err:
            raise interp.error(str(err), loc) from None
        if not done:
            raise interp.error(f"{mech}: bridge's run keeps no {n} at {inst.sec.name}({inst.x:g}) to assign", loc)


# -- GLOBAL ASSIGNEDs (`minf_fx`) -----------------------------------------------------------------
def _store(model) -> dict:
    return model.__dict__.setdefault("nmodl_globals", {})


def _stamp(model, mechanism: str = "") -> tuple:
    if is_library_key(mechanism):  # a `SUFFIX nothing` library has no instances: no run changes its GLOBALs
        return ()
    return (model.initialized is not None, model.live.epoch)


def assigned_global(model, name: str) -> AssignedGlobal | None:
    """`minf_fx` as the GLOBAL ASSIGNED minf of mechanism fx, or None."""
    for suffix in model.catalog.names():
        if name.endswith("_" + suffix) and len(name) > len(suffix) + 1 and not suffix.endswith("_ion"):
            info = model.catalog.get(suffix)
            var = name[: -len(suffix) - 1]
            if info.calls is not None and var in _assigned_globals(info):
                return AssignedGlobal(name, suffix, var)
    key = model.catalog.library_assigned_global(name)  # a library's bare name (bridge.hoc.mod_library)
    return AssignedGlobal(name, key, name) if key is not None else None


def _assigned_globals(info) -> frozenset[str]:
    return info.calls.assigned_globals


def read_assigned_global(interp, binding: AssignedGlobal, loc) -> float:
    """HOC's value of a GLOBAL ASSIGNED: what a HOC call or assignment left there, 0 before anything ran."""
    model = interp.model
    found = _store(model).get(binding.name)
    if found is not None and found[1] == _stamp(model, binding.mechanism):
        return found[0]
    if found is None and (is_library_key(binding.mechanism) or model.initialized is None and model.live.epoch == 0):
        return 0.0  # NEURON's ASSIGNED start at 0
    raise interp.refuse(f"reading {binding.name} after a run: {binding.var} is a GLOBAL ASSIGNED of "
                        f"{binding.mechanism}, which NEURON's run leaves at the value of the last instance it "
                        "computed; bridge keeps it per instance and does not know that value", loc)


def assign_assigned_global(interp, binding: AssignedGlobal, value, loc) -> None:
    """`minf_fx = 3`: kept for HOC to read back, and given to the run (`global_assigned`); refused where each
    instance would read what the one before left (`shared_globals`)."""
    if not is_number(value):
        raise interp.error(f"{binding.name} must be a number", loc)
    info = interp.model.catalog.get(binding.mechanism)
    if binding.var in info.calls.shared_globals:
        raise interp.refuse(f"assigning {binding.name}: the GLOBAL {binding.var} of {binding.mechanism} is read by "
                            "its blocks before they assign it, so the value would reach the run, and bridge's run "
                            "does not start from it", loc)
    global_assigned.written(interp, binding.mechanism, binding.var, float(value), loc)  # the run reads it too
    _store(interp.model)[binding.name] = (float(value), _stamp(interp.model, binding.mechanism))
