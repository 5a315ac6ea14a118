"""Variables whose value at a finitialize() is what the last run left (NEURON's memory), not a default.

NEURON's finitialize() runs each mechanism's INITIAL on the instance's memory as the last run (or
HOC) left it: nocmodl's `initmodel` sets each STATE to its x0 first, but an ASSIGNED, a PARAMETER
the code assigns or a file-level LOCAL keeps its value until code assigns it. A mechanism reads
such a carried value when some unit (INITIAL, BREAKPOINT's currents, the SOLVEd blocks,
NET_RECEIVE, BEFORE/AFTER blocks, through the FUNCTIONs and PROCEDUREs they call) reads the name
before surely assigning it and INITIAL does not surely assign it first (a counter `n = n + 1`, a
"last spike time"). The first run starts from the defaults in both; a later one does not. hh's
`minf` (assigned by INITIAL's `rates(v)` before any read) and a conductance BREAKPOINT computes
before using it are not carried.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.nmodl.analysis.blocks import Blocks
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.analysis.shared_globals import _Flow, _Must, _units, _Walker
from bridge.nmodl.analysis.usage import locals_in
from bridge.nmodl.syntax import ast

_KINDS = frozenset({"assigned", "parameter", "file_local"})
# units that run only in a step, after BREAKPOINT's currents (nrn_fixed_step: setup_tree_matrix, then
# nrn_state; nrn_finitialize ends with setup_tree_matrix too): a name the currents surely assign is fresh there
_AFTER_CURRENTS = frozenset({"the SOLVE of BREAKPOINT", "BEFORE SOLVE", "AFTER SOLVE", "BEFORE STEP", "AFTER STEP"})


@dataclass(frozen=True)
class Carried:
    """One carried name: the .mod line of its first read before assignment, and whether finitialize()
    itself may assign it (INITIAL; BREAKPOINT's currents, which nrn_finitialize evaluates once at the end;
    NET_RECEIVE for an event at t = 0; BEFORE/AFTER INITIAL and BREAKPOINT): then a second finitialize()
    with no step between starts from a different value too; `range`: one value per instance (False: a GLOBAL or
    a file-level LOCAL, one C variable all instances share)."""

    name: str
    line: int
    init_writes: bool
    range: bool = True


def carried(info: MechanismInfo, initial_sets: frozenset[str]) -> tuple[Carried, ...]:
    """The names of `info` whose value at a later finitialize() depends on the last run (module
    docstring); `initial_sets`: the names INITIAL surely assigns before reading them
    (`hoc_calls.initial_sets`)."""
    candidates = {n for n, v in info.variables.items()
                  if v.kind in _KINDS and n in info.assigned_names and n not in info.ion_of and n not in initial_sets}
    if not candidates:
        return ()
    blocks = Blocks(info.functions, info.procedures, info.blocks, info.function_tables)
    walker = _SureReads(candidates, blocks)
    units = list(_units(info.program, blocks))
    for ba in info.program.of_type(ast.BeforeAfterBlock):
        units.append((f"{ba.when} {ba.point}", ba.body, locals_in(ba.body)))
    first: dict[str, ast.Node] = {}
    init_writes: set[str] = set()
    reset: set[str] = set()  # what INITIAL surely assigns before reading it (on every path of its IFs too)
    currents: set[str] = set()  # the same for BREAKPOINT's currents
    late: dict[str, ast.Node] = {}  # first reads in the units that run after the currents (`_AFTER_CURRENTS`)
    for unit, body, shadow in units:
        flow, must = walker.unit(body, shadow)
        for n, node in flow.first_reads.items():
            (late if unit in _AFTER_CURRENTS else first).setdefault(n, node)
        if unit == "INITIAL":
            reset = set(must) - set(flow.first_reads)
        elif unit == "BREAKPOINT":
            currents = set(must) - set(flow.first_reads)
        if unit not in _AFTER_CURRENTS:
            init_writes |= set(flow.may_write)
    for n, node in late.items():
        if n not in currents:
            first.setdefault(n, node)
    return tuple(Carried(n, getattr(getattr(node, "loc", None), "line", 0), n in init_writes,
                         info.variables[n].range and info.variables[n].kind != "file_local")
                 for n, node in sorted(first.items()) if n not in reset)


class _SureReads(_Walker):
    """The must-assign walk of `shared_globals._Walker`, keeping only the reads every pass through a unit
    makes: a read in the body of an IF or a loop, or right of `&&` / `||` (C evaluates it only when the left
    side allows), is left out (APCount's `firing && v < thresh && t > time`, a NetStim's `event` under
    `flag == 0`); what those bodies surely assign still counts. An under-approximation: a counter, a running
    value or an INITIAL test of the last spike time is found; a read the last run's value reaches only on
    some paths is not."""

    def _stmt(self, st: ast.Node, must: _Must, shadow: set[str], flow: _Flow) -> None:
        if isinstance(st, ast.If):
            self._read(_sure_part(st.condition), must, shadow, flow)
            then, other = must.branch(), must.branch()
            self._body(st.body, then, shadow, _Scratch(flow))
            self._body(st.orelse or (), other, shadow, _Scratch(flow))
            must.add(then.own() & other.own())
        elif isinstance(st, ast.While):
            self._read(_sure_part(st.condition), must, shadow, flow)
            self._body(st.body, must.branch(), shadow, _Scratch(flow))
        elif isinstance(st, ast.From):
            for e in (st.start, st.stop, st.step):
                if e is not None:
                    self._read(e, must, shadow, flow)
            self._body(st.body, must.branch(), shadow, _Scratch(flow))
        else:
            super()._stmt(st, must, shadow, flow)


class _Scratch(_Flow):
    """A flow for a conditional body: its reads are dropped, its possible writes go to `outer`."""

    def __init__(self, outer: _Flow) -> None:
        super().__init__(first_reads={}, may_write=outer.may_write)


def _sure_part(cond: ast.Node) -> ast.Node:
    """The part of a condition C always evaluates: the leftmost operand of a chain of `&&` / `||`."""
    while isinstance(cond, ast.Binary) and cond.op in ("&&", "||"):
        cond = cond.left
    return cond
