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
from bridge.nmodl.analysis.shared_globals import _Flow, _Must, _Summary, _units, _Walker
from bridge.nmodl.analysis.usage import locals_in
from bridge.nmodl.syntax import ast


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


_SHARED_BUILTINS = frozenset({"celsius", "dt", "secondorder"})


def table_off_shared(info: MechanismInfo, name: str, sides: tuple[str, ...]) -> tuple[str, ...]:
    """The GLOBALs and file LOCALs of `sides` (what the tabulated PROCEDURE `name` assigns besides its TABLE
    names) whose value NEURON shares between instances where bridge does not, when the PROCEDURE runs its own code
    (`usetable_<suffix>` = 0): each is one C variable, which the instances overwrite in turn, so a block that
    reads it before assigning it (BREAKPOINT's `gk = tadj*gbar*n`, or the PROCEDURE itself where its assignment
    is under an IF) gets the last writer's value; bridge keeps one value per instance (its own). Only the names
    two instances may set differently (`_varying`) and that some block reads so."""
    varying = _varying(info, info.procedures[name].body, set(sides), 0)
    if not varying:
        return ()
    blocks = Blocks(info.functions, info.procedures, info.blocks, info.function_tables)
    walker = _TableOff(set(varying), blocks)
    units = list(_units(info.program, blocks))
    for ba in info.program.of_type(ast.BeforeAfterBlock):
        units.append((f"{ba.when} {ba.point}", ba.body, locals_in(ba.body)))
    read: set[str] = set()
    for _, body, shadow in units:
        flow, _ = walker.unit(body, shadow)
        read |= set(flow.first_reads)
    return tuple(n for n in sides if n in varying and n in read)


class _TableOff(_Walker):
    """The must-assign walk of `shared_globals` with every tabulated FUNCTION and PROCEDURE running its own code
    (`usetable_<suffix>` = 0): a call reads and assigns what its body does."""

    def _summary(self, name: str) -> _Summary:
        if name not in self.summaries:
            block = self.blocks.functions.get(name) or self.blocks.procedures[name]
            shadow = {p.name for p in block.params} | locals_in(block.body) | {name}
            flow = _Flow()
            must = _Must()
            self._body(block.body, must, shadow, flow)
            self.summaries[name] = _Summary(frozenset(flow.first_reads), must.own(), flow.may_write)
        return self.summaries[name]


def _varying(info: MechanismInfo, body, sides: set[str], depth: int) -> set[str]:
    """The names of `sides` two instances may set differently in `body`: uniform where every assignment is at the
    top level (not under an IF or in a loop; in a PROCEDURE called at the top level too) from GLOBALs, constants,
    celsius and dt only (Mainen's `tadj = q10^((celsius - temp)/10)`); the argument v, a LOCAL, a RANGE
    variable, a FUNCTION call, a nested assignment: may vary."""
    uniform, spoilt = _parts(info, body, sides, depth)
    return {n for n in sides if n in spoilt or n not in uniform}


def _parts(info: MechanismInfo, body, sides: set[str], depth: int) -> tuple[set[str], set[str]]:
    """(the names of `sides` `body` assigns uniformly, those it assigns otherwise) (`_varying`)."""
    shared = set(info.constants) | _SHARED_BUILTINS | set(info.global_assigned) | {
        n for n, v in info.variables.items() if v.kind == "parameter" and not v.range}
    uniform: set[str] = set()
    spoilt: set[str] = set()
    for st in body:
        if isinstance(st, ast.Assign) and isinstance(st.target, ast.Name) and st.target.name in sides:
            nodes = list(ast.walk(st.value))
            reads = {sub.name for sub in nodes if isinstance(sub, (ast.Name, ast.Indexed))}
            # a math built-in (exp, pow) reads its arguments only; a FUNCTION of the file may read anything
            calls = any(isinstance(sub, ast.Call) and (sub.name in info.functions or sub.name in info.procedures)
                        for sub in nodes)
            (uniform if reads <= shared and not calls else spoilt).add(st.target.name)
        elif (isinstance(st, ast.ExprStatement) and isinstance(st.expr, ast.Call) and st.expr.name in info.procedures
              and st.expr.name not in info.tables and depth < 8):
            inner_uniform, inner_spoilt = _parts(info, info.procedures[st.expr.name].body, sides, depth + 1)
            uniform |= inner_uniform
            spoilt |= inner_spoilt
        else:  # under an IF, in a loop, in a call inside an expression: may differ
            spoilt |= _assigned_in((st,), sides)
            if any(isinstance(sub, ast.Call) and sub.name in info.procedures for sub in ast.walk(st)):
                spoilt |= sides  # a PROCEDURE called inside an expression or a block: not followed
    return uniform, spoilt


def _assigned_in(body, sides: set[str]) -> set[str]:
    """The names of `sides` some statement of `body` assigns (at any depth)."""
    return {sub.target.name for st in body for sub in ast.walk(st)
            if isinstance(sub, ast.Assign) and isinstance(sub.target, ast.Name) and sub.target.name in sides}
