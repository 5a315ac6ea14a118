"""HOC's `setpointer pp.vgap, sec.v(x)`: a point process's POINTER connected to a segment's v.

NEURON (src/nrnoc/point.cpp and hoc's `setpointer` statement) stores the address of the
variable; the mechanism reads it whenever a block runs. bridge records the target segment in
the tree's `PointProcess.pointers`, and the solver passes the variable's value at that node
to the mechanism (bridge.solver.step `_gather_ions`). Supported: POINTERs of point processes
aimed at a segment's `v`, an ion's variable (`cai`) or a density mechanism's range variable
(`m_hh`, a STATE or PARAMETER). Refused by name: other targets (diam, HOC variables, point
process variables) and POINTERs of density mechanisms.
"""

from __future__ import annotations

from bridge.hoc import ast
from bridge.hoc.bindings import MechanismVariable
from bridge.hoc.names import ref
from bridge.hoc.values import PointProcessTarget, RangeTarget


def exec_setpointer(interp, n: ast.Setpointer) -> None:
    """`setpointer target, source` (HOC syntax: target is `pp.name`, source a range variable at x)."""
    _refuse_density_pointer(interp, n)
    target = ref(interp, n.target).what
    if not (isinstance(target, PointProcessTarget) and target.name in target.obj.info.pointers):
        raise interp.refuse("setpointer: the first argument must be a POINTER of a point process "
                            "(`setpointer syn.vpre, dend.v(0.5)`)", n.loc)
    obj = target.obj
    if obj.pp is None:
        raise interp.error(f"{obj} has no location; call .loc(x) first", n.loc)
    source = ref(interp, n.source).what
    if isinstance(source, RangeTarget) and isinstance(source.var, MechanismVariable):
        owner, var = source.var.mechanism, source.var.name
    elif isinstance(source, RangeTarget) and source.var.name == "v":
        owner, var = "", "v"
    else:
        what = source.var.name if isinstance(source, RangeTarget) else "a HOC variable or a point process's"
        raise interp.refuse(f"setpointer {obj}.{target.name} to {what}: bridge connects a POINTER to a segment's "
                            "v or to a range variable of a mechanism or ion (`sec.v(x)`, `sec.cai(x)`, "
                            "`sec.m_hh(x)`)", n.loc)
    interp.model.mutations += 1
    obj.pp.pointers[target.name] = (source.sec.name, float(source.x), owner, var)


def _refuse_density_pointer(interp, n: ast.Setpointer) -> None:
    """`setpointer soma.vgap_gapd(0.5), ...` / `soma setpointer vgap_gapd(0.5), ...`: refused by name."""
    node = n.target
    name = None
    if isinstance(node, ast.Call):
        func = node.func
        name = func.name if isinstance(func, (ast.Name, ast.Member)) else None
    elif isinstance(node, (ast.Name, ast.Member)):
        name = node.name
    if name is None or "_" not in name:
        return
    for cut in range(1, len(name)):
        if name[cut - 1] != "_":
            continue
        var, suffix = name[:cut - 1], name[cut:]
        catalog = interp.model.catalog
        if suffix not in catalog or suffix.endswith("_ion"):
            continue
        info = catalog.get(suffix)
        if info.kind == "density" and var in info.pointers:
            raise interp.refuse(f"setpointer {name}: POINTERs of density mechanisms are not connected by bridge "
                                "yet (POINTERs of point processes are)", n.loc)
