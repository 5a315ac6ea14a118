"""What a BREAKPOINT `SOLVE ... METHOD runge` does to NEURON's time `t` beyond the mechanism's own states.

nocmodl passes scopmath's `runge` the address of the thread's `t` (noccout.cpp's nrn_state, runge.hpp): each
call moves it to `t + h/2`, `t + h` and back with `*t -= h`, once per instance and SOLVE, in the instance
loop. The floating-point round trip `((t + h/2) + h/2) - h` is often not t (at t = 37.3 ms, dt = 0.025 ms
it is one ulp up, again at every call), so the t that later instances, later mechanism types, recordings
and the next step read has moved by as many round trips as NEURON made (`bridge.solver.runge_time`).
A block that reads t sees its own instance's t: such a mechanism's instances run one after another
(`bridge.nmodl.runtime.in_turn`), t passed on from each to the next.
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.hoc_calls import hoc_callables
from bridge.nmodl.analysis.info import MechanismInfo, Reporter, SolveInfo
from bridge.nmodl.syntax import ast


def check_runge(solves: tuple[SolveInfo, ...], kind: str, report: Reporter) -> None:
    """A runge SOLVE in an ARTIFICIAL_CELL is refused: bridge counts t's round trips for instances on nodes
    (density mechanisms and point processes: bridge.hoc.runge_t)."""
    for solve in solves:
        if solve.method == "runge" and kind == "artificial":
            raise report.error(UnsupportedFeature, "SOLVE ... METHOD runge in an ARTIFICIAL_CELL (runge moves "
                               "NEURON's t per instance; bridge follows that for mechanisms on nodes only)",
                               solve.statement)


def runge_solves(info: MechanismInfo) -> int:
    """How many times nrn_state calls runge per instance: the BREAKPOINT SOLVEs with METHOD runge."""
    return sum(1 for solve in info.breakpoint_solves if solve.method == "runge")


def runge_reads_t(info: MechanismInfo) -> bool:
    """Whether a DERIVATIVE block solved by runge reads t, in its statements or in the FUNCTIONs and
    PROCEDUREs it calls (followed transitively); VERBATIM there counts as a read."""
    callables = None
    for solve in info.breakpoint_solves:
        if solve.method != "runge":
            continue
        for node in ast.walk(solve.block):
            if isinstance(node, ast.Verbatim) or (isinstance(node, ast.Name) and node.name == "t"):
                return True
            if isinstance(node, ast.Call):
                callables = hoc_callables(info) if callables is None else callables
                called = callables.get(node.name)
                if called is not None and ("t" in called.reads or _verbatim_in(info, called.name)):
                    return True
    return False


def _verbatim_in(info: MechanismInfo, name: str) -> bool:
    """Whether FUNCTION or PROCEDURE `name`, or one it calls, holds VERBATIM."""
    blocks = {**info.functions, **info.procedures}
    seen, todo = {name}, [name]
    while todo:
        for node in ast.walk(blocks[todo.pop()]):
            if isinstance(node, ast.Verbatim):
                return True
            if isinstance(node, ast.Call) and node.name in blocks and node.name not in seen:
                seen.add(node.name)
                todo.append(node.name)
    return False
