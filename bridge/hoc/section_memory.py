"""The memory a section holds, charged to the session's budget (`bridge.hoc.budget`): a
section when it is created, its segments' values when nseg or its mechanisms change.
Assigning a range variable from HOC (`assign_range`) goes through here for that reason."""

from __future__ import annotations

from bridge.hoc import budget
from bridge.hoc.bindings import NSEG, RangeVar
from bridge.hoc.values import Sec, is_number

RANGE_STATEMENTS = 2  # statements' worth of work an assignment of a range variable adds (the model's checks)


def section_bytes(sec: Sec | None) -> int:
    """The memory a section is charged [bytes]: `budget.SECTION_BYTES`, and per segment
    `budget.SEGMENT_BYTES` for each inserted mechanism and for the section's own values
    (`sec` None: a new section, one segment and no mechanism)."""
    if sec is None:
        return budget.SECTION_BYTES + budget.SEGMENT_BYTES
    return budget.SECTION_BYTES + budget.SEGMENT_BYTES * sec.data.nseg * (1 + len(sec.data.mechanisms))


def recharge(interp, sec: Sec, nseg: int, mechanisms: int, loc) -> None:
    """Before `sec` gets `nseg` segments and `mechanisms` mechanisms: refuse it if the memory
    budget cannot hold them, and count the work of resizing its per-segment values."""
    if sec.charge is None:
        return
    new = budget.SECTION_BYTES + budget.SEGMENT_BYTES * nseg * (1 + mechanisms)
    interp.work(nseg * (1 + mechanisms), loc)
    if new > sec.charge.bytes:
        interp.memory.need(new - sec.charge.bytes,
                           f"section {sec.name} with nseg = {nseg} and {mechanisms} mechanisms")


def settle(sec: Sec) -> None:
    """After a change of nseg or of the mechanisms: charge what `sec` holds now."""
    if sec.charge is not None:
        sec.charge.resize(section_bytes(sec), f"section {sec.name}")


def assign_range(interp, sec: Sec, var: RangeVar, value, x: float | None, loc) -> None:
    """Assign a range variable or section property (x None: the whole section); a new nseg is
    first checked against the memory budget and counted as work (`recharge`)."""
    interp.statements += RANGE_STATEMENTS
    if var == NSEG and is_number(value) and sec.alive:
        nseg = budget.count(value, "nseg")
        if nseg <= 32767:  # more is ModelState.set_range's error
            recharge(interp, sec, max(nseg, 1) + sec.data.nseg, len(sec.data.mechanisms), loc)
        interp.model.set_range(sec, var, value, x, loc, interp)
        settle(sec)
        return
    interp.model.set_range(sec, var, value, x, loc, interp)
