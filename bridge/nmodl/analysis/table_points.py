"""Which variables a TABLE's points pass from one to the next while NEURON builds the table.

nocmodl's `_check_<name>` (parsact.cpp's table code) runs the tabulated PROCEDURE's body at each point in
turn, x from lo to hi, in the same variables: the GLOBALs and file LOCALs (one C variable each), the first
instance's per-instance ASSIGNEDs and the TABLE names. A variable the body may leave unassigned at a point
(assigned under an IF, `if (v < -50) { tadj = ... }`) or reads before assigning keeps what the previous point
left, and the first point sees what the variable held before the build. `carried_names` finds them
(`bridge.nmodl.runtime.tables.build` then runs the points in turn).
"""

from __future__ import annotations

from bridge.nmodl.analysis.blocks import Blocks
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.analysis.shared_globals import _Walker
from bridge.nmodl.analysis.usage import locals_in


def carried_names(info: MechanismInfo, name: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The names of `names` (the TABLE names and the variables the tabulated PROCEDURE `name` also assigns) that
    one point of its table build may pass to the next: read before surely assigned, or assigned on some path
    only (over the procedures it calls, a tabulated callee setting its TABLE names only)."""
    block = info.procedures[name]
    candidates = set(names)
    blocks = Blocks(info.functions, info.procedures, info.blocks, info.function_tables)
    shadow = {p.name for p in block.params} | locals_in(block.body) | {name}
    flow, must = _Walker(candidates, blocks).unit(block.body, shadow)
    out = set(flow.first_reads) | (set(flow.may_write) - set(must))
    return tuple(n for n in names if n in out)
