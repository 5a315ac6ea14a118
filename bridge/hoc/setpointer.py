"""HOC's `setpointer pp.vgap, sec.v(x)`: a POINTER connected to a segment's variable.

NEURON (src/nrnoc/point.cpp and hoc's `setpointer` statement) stores the address of the
variable; the mechanism reads it whenever a block runs. bridge records the target segment in
the tree's `PointProcess.pointers` or `Section.pointers`, and the solver passes the variable's value at that node
to the mechanism (bridge.solver.step `_gather_ions`). Supported: POINTERs of point processes
and of density mechanisms (per segment) aimed at a segment's `v`, an ion's variable (`cai`) or
a density mechanism's range variable (`m_hh`, a STATE or PARAMETER), or a segment's `diam` (the segment at x, 0 and 1
included: NEURON's morphology mechanism there; a constant of the run), a point process's variable
(`setpointer ampa.pglu, syn.glu`: the instance HOC names) or a HOC scalar (`setpointer soma.mu_caL(0.5), mu`, an
element `a[2]`): its value is a global of the run (`hoc:mu`, `scalar_values`), read from HOC whenever a piece of
the run is frozen, so a change between runs or between `fadvance()`s is seen at the next step, as NEURON's pointer
to the HOC double sees it. A mechanism's GLOBAL ASSIGNED (`setpointer fz.x, E_xtrau`, ModelDB 190559): NEURON's one
double, shared by every instance of its mechanism, read and written through the POINTER (kind "global" of
bridge.solver.plan: the run keeps it in the owner's state, bridge.solver.pointer_writes). Refused by name: other
targets (GLOBAL PARAMETERs, artificial cells, strings).
"""

from __future__ import annotations

from bridge.hoc import ast
from bridge.hoc.bindings import MechanismVariable
from bridge.hoc.names import lookup, ref
from bridge.hoc.nmodl_calls import AssignedGlobal
from bridge.hoc.values import ElemRef, NumVar, PointProcessTarget, RangeTarget, Sec
from bridge.solver.plan import GLOBAL_X, HOC_OWNER, POINT_X


def exec_setpointer(interp, n: ast.Setpointer) -> None:
    """`setpointer target, source`: target `pp.name` (a point process's POINTER) or `sec.name_suffix(x)`
    (a density mechanism's, in the segment at x); source a range variable at x."""
    density = _density_target(interp, n)
    if density is None:
        target = ref(interp, n.target).what
        if not (isinstance(target, PointProcessTarget) and target.name in target.obj.info.pointers):
            raise interp.refuse("setpointer: the first argument must be a POINTER of a point process or of a "
                                "density mechanism (`setpointer syn.vpre, dend.v(0.5)`, "
                                "`setpointer soma.vgap_gap(0.5), dend.v(0.5)`)", n.loc)
        obj = target.obj
        if obj.pp is None:
            raise interp.error(f"{obj} has no location; call .loc(x) first", n.loc)
        what = f"{obj}.{target.name}"
    else:
        sec, mech, name, x = density
        what = f"{sec.name}.{name}_{mech}({x:g})"
    source_ref = ref(interp, n.source)
    source = source_ref.what
    found = _other_source(interp, source_ref, n)
    if found is not None:
        if found[1] == GLOBAL_X:
            info = obj.info if density is None else interp.model.catalog.get(mech)
            _check_global_writer(interp, info, target.name if density is None else name, what, found, n)
        interp.model.mutations += 1
        if density is None:
            obj.pp.pointers[target.name] = found
        else:
            sec.data.pointers[(mech, name, sec.data.segment(x))] = found
        return
    if isinstance(source, RangeTarget) and isinstance(source.var, MechanismVariable):
        owner, var = source.var.mechanism, source.var.name
    elif isinstance(source, RangeTarget) and source.var.name == "v":
        owner, var = "", "v"
    elif isinstance(source, RangeTarget) and source.var.name == "diam":  # NEURON's morphology mechanism's diam
        owner, var = "morphology", "diam"
    else:
        kind = source.var.name if isinstance(source, RangeTarget) else "this variable"
        raise interp.refuse(f"setpointer {what} to {kind}: bridge connects a POINTER to a segment's v or diam, "
                            "a range variable of a mechanism or ion (`sec.v(x)`, `sec.cai(x)`, `sec.m_hh(x)`), a "
                            "point process's variable (`syn.g`) or a HOC scalar (`x`, `a[2]`)", n.loc)
    interp.model.mutations += 1
    found = (source.sec.name, float(source.x), owner, var)
    if density is None:
        obj.pp.pointers[target.name] = found
    else:
        sec.data.pointers[(mech, name, sec.data.segment(x))] = found


def _check_global_writer(interp, info, pointer: str, what: str, found: tuple, n: ast.Setpointer) -> None:
    """A POINTER to a GLOBAL ASSIGNED: bridge starts the GLOBAL of every finitialize() at its default, NEURON at
    what the last run left. The same when the POINTER's INITIAL surely assigns it before any read
    (`HocCalls.initial_sets`) and runs before the owner's INITIAL (checked with the type order by
    bridge.solver.plan); refused otherwise."""
    calls = getattr(info, "calls", None)
    if calls is None or pointer not in calls.initial_sets:
        raise interp.refuse(f"setpointer {what}, {found[3]}_{found[2]}: a POINTER to a GLOBAL whose mechanism's "
                            f"INITIAL does not surely assign {pointer} before reading it: NEURON's finitialize() "
                            "then reads the value the last run left in the GLOBAL, which bridge does not carry", n.loc)


def _density_target(interp, n: ast.Setpointer):
    """(section, mechanism, POINTER, x) for `sec.vgap_gapd(x)` / `vgap_gapd(x)` naming a density
    mechanism's POINTER; None for anything else."""
    node = n.target
    if not (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Member)) and len(node.args) == 1):
        return None
    hoc_name = node.func.name
    catalog = interp.model.catalog
    for suffix in catalog.names():
        if not (hoc_name.endswith("_" + suffix) and len(hoc_name) > len(suffix) + 1):
            continue
        info = catalog.get(suffix)
        name = hoc_name[: -len(suffix) - 1]
        if info.kind != "density" or name not in info.pointers:
            continue
        if isinstance(node.func, ast.Member):
            sec = interp.eval(node.func.target)
            if not isinstance(sec, Sec):
                raise interp.error(f"{hoc_name}: a section was expected before the dot", n.loc)
        else:
            sec = interp.model.current(interp, n.loc)
        x = interp.number(node.args[0])
        if not 0.0 <= x <= 1.0:
            raise interp.error(f"arc position {x:g} is outside [0, 1]", n.loc)
        if suffix not in sec.data.mechanisms:
            raise interp.error(f"{suffix} mechanism not inserted in section {sec.name}", n.loc)
        return sec, suffix, name, x
    return None


def _other_source(interp, source_ref, n: ast.Setpointer):
    """The pointer target of a point process's variable (`syn.glu`: (label, POINT_X, mechanism, name)) or of a
    HOC scalar (`mu`: ("", 0, HOC_OWNER, key)); None for any other source."""
    source = source_ref.what
    if isinstance(source, PointProcessTarget):
        obj = source.obj
        if source.name in obj.info.pointers or source.name not in obj.info.range_names:
            return None
        if obj.pp is None:
            raise interp.error(f"{obj} has no location; call .loc(x) first", n.loc)
        return (str(obj), POINT_X, obj.cls, source.name)
    if source is None and isinstance(source_ref, ElemRef) and isinstance(source_ref.var, NumVar):
        return ("", 0.0, HOC_OWNER, _scalar_key(interp.model, source_ref.var, source_ref.i, n.source))
    if isinstance(n.source, ast.Name):
        binding = lookup(interp, n.source.name)
        if isinstance(binding, AssignedGlobal):  # `E_xtrau`: the GLOBAL ASSIGNED of a mechanism
            return ("", GLOBAL_X, binding.mechanism, binding.var)
        owner = interp.model.catalog.lookup_global(n.source.name)
        if owner is not None:
            raise interp.refuse(f"setpointer to {n.source.name}, a GLOBAL PARAMETER of {owner[0]}: bridge runs a "
                                "mechanism's GLOBAL PARAMETERs as constants of a run, which a POINTER would change; "
                                "a GLOBAL ASSIGNED can be a POINTER's target", n.loc)
    return None


def _scalar_key(model, var: NumVar, i: int, node) -> str:
    """The run's global name of HOC scalar `var[i]` (`hoc:mu`, `hoc:a[2]`), registered in `model.pointer_scalars`."""
    scalars = pointer_scalars(model)
    for key, (other, k) in scalars.items():
        if other is var and k == i:
            return key
    base = node.target.name if isinstance(node, ast.Index) and isinstance(node.target, ast.Name) else getattr(
        node, "name", "scalar")
    label = f"hoc:{base}[{i}]" if var.dims else f"hoc:{base}"
    key, k = label, 1
    while key in scalars:
        k += 1
        key = f"{label}#{k}"
    scalars[key] = (var, i)
    return key


def pointer_scalars(model) -> dict:
    """The HOC scalars POINTERs point at: run global name -> (NumVar, element)."""
    return model.pointer_scalars


def scalar_values(model) -> dict[str, float]:
    """The HOC scalars POINTERs point at, their values now, by run global name (`hoc:mu`)."""
    return {key: float(var.data[i]) for key, (var, i) in pointer_scalars(model).items()}


def run_globals(model, tree=None) -> dict[str, float]:
    """The globals a run of the model takes: mechanism GLOBALs HOC set (of the mechanisms the run uses,
    `bridge.hoc.initstate.mechanism_globals`) and the HOC scalars POINTERs read."""
    from bridge.hoc.initstate import mechanism_globals

    return {**mechanism_globals(model, tree), **scalar_values(model)}


def scalars_changed(model, frozen) -> bool:
    """Whether a HOC scalar a POINTER reads changed since `frozen` (a `bridge.hoc.live.Frozen`) was made."""
    return any(frozen.globals.get(key) != value for key, value in scalar_values(model).items())
