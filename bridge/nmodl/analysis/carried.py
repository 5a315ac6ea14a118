"""Variables whose value at a finitialize() is what the last run left (NEURON's memory), not a default.

NEURON's finitialize() runs each mechanism's INITIAL on the instance's memory as the last run (or
HOC) left it: nocmodl's `initmodel` sets each STATE to its x0 first, but an ASSIGNED, a PARAMETER
the code assigns or a file-level LOCAL keeps its value until code assigns it. A mechanism reads
such a carried value when some unit (INITIAL, BREAKPOINT's currents, the SOLVEd blocks,
NET_RECEIVE, BEFORE/AFTER blocks, through the FUNCTIONs and PROCEDUREs they call) may read the name
before surely assigning it (on some path: in an IF or a loop body too) and INITIAL does not surely
assign it first (a counter `n = n + 1`, a "last spike time", what a set-up under a "done" flag
computed). The first run starts from the defaults in both; a later one does not. hh's `minf`
(assigned by INITIAL's `rates(v)` before any read) and a conductance BREAKPOINT computes before using
it are not carried. An over-approximation, as carrying needs (`bridge.hoc.carried_runs` starts every
name found from the last run's value, which is NEURON's whether the next run reads it or not).
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.nmodl.analysis.blocks import Blocks
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.analysis.shared_globals import _units, _Walker
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
    anywhere = {n for n, v in info.variables.items()
                if v.kind in _KINDS and n in info.assigned_names and n not in info.ion_of}
    blocks = Blocks(info.functions, info.procedures, info.blocks, info.function_tables)
    # BEFORE INITIAL runs before INITIAL (fadvance.cpp nrn_finitialize): what it reads first is the last run's,
    # whatever INITIAL assigns afterwards
    early = _before_initial_reads(info, anywhere, blocks)
    candidates = {n for n in anywhere if n not in initial_sets}
    if not candidates and not early:
        return ()
    walker = _Walker(candidates, blocks)
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
        if unit in ("INITIAL", "BEFORE INITIAL"):  # BEFORE INITIAL's surely assigned names are fresh too
            reset |= set(must) - set(flow.first_reads)
        elif unit == "BREAKPOINT":
            currents = set(must) - set(flow.first_reads)
        if unit not in _AFTER_CURRENTS:
            init_writes |= set(flow.may_write)
    for n, node in late.items():
        if n not in currents:
            first.setdefault(n, node)
    first = {n: node for n, node in first.items() if n not in reset}
    for n, node in early.items():
        first[n] = node
        init_writes.add(n)  # INITIAL's or BEFORE INITIAL's writes: a second finitialize() starts elsewhere
    return tuple(Carried(n, getattr(getattr(node, "loc", None), "line", 0), n in init_writes, _per_instance(info, n))
                 for n, node in sorted(first.items()))


def _before_initial_reads(info: MechanismInfo, names: set[str], blocks: Blocks) -> dict[str, ast.Node]:
    """The names of `names` the BEFORE INITIAL blocks (in file order) may read before surely assigning them."""
    body = tuple(st for ba in info.program.of_type(ast.BeforeAfterBlock) if (ba.when, ba.point) == ("BEFORE", "INITIAL")
                 for st in ba.body)
    if not body or not names:
        return {}
    flow, _ = _Walker(names, blocks).unit(body, locals_in(body))
    return dict(flow.first_reads)


def _per_instance(info: MechanismInfo, name: str) -> bool:
    """Whether NEURON keeps `name` per instance (a RANGE variable, an ASSIGNED the NEURON block does not list), not
    in one C variable (a GLOBAL, a file-level LOCAL)."""
    var = info.variables[name]
    if var.kind == "file_local":
        return False
    return name in info.instance_assigned if var.kind == "assigned" else var.range
