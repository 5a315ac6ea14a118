"""HOC's `setpointer pp.vgap, sec.v(x)`: a POINTER connected to a segment's variable.

NEURON (src/nrnoc/point.cpp and hoc's `setpointer` statement) stores the address of the
variable; the mechanism reads it whenever a block runs. bridge records the target segment in
the tree's `PointProcess.pointers` or `Section.pointers`, and the solver passes the variable's value at that node
to the mechanism (bridge.solver.step `_gather_ions`). Supported: POINTERs of point processes
and of density mechanisms (per segment) aimed at a segment's `v`, an ion's variable (`cai`) or
a density mechanism's range variable (`m_hh`, a STATE or PARAMETER), or a segment's `diam` (the segment at x, 0 and 1
included: NEURON's morphology mechanism there; a constant of the run). Refused by name: other targets (HOC
variables, point process variables).
"""

from __future__ import annotations

from bridge.hoc import ast
from bridge.hoc.bindings import MechanismVariable
from bridge.hoc.names import ref
from bridge.hoc.values import PointProcessTarget, RangeTarget, Sec


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
    source = ref(interp, n.source).what
    if isinstance(source, RangeTarget) and isinstance(source.var, MechanismVariable):
        owner, var = source.var.mechanism, source.var.name
    elif isinstance(source, RangeTarget) and source.var.name == "v":
        owner, var = "", "v"
    elif isinstance(source, RangeTarget) and source.var.name == "diam":  # NEURON's morphology mechanism's diam
        owner, var = "morphology", "diam"
    else:
        kind = source.var.name if isinstance(source, RangeTarget) else "a HOC variable or a point process's"
        raise interp.refuse(f"setpointer {what} to {kind}: bridge connects a POINTER to a segment's v or diam or "
                            "to a range variable of a mechanism or ion (`sec.v(x)`, `sec.cai(x)`, `sec.m_hh(x)`)",
                            n.loc)
    interp.model.mutations += 1
    found = (source.sec.name, float(source.x), owner, var)
    if density is None:
        obj.pp.pointers[target.name] = found
    else:
        sec.data.pointers[(mech, name, sec.data.segment(x))] = found


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
