"""ParallelContext's gap-junction transfers in one process: `source_var`, `target_var`, `setup_transfer`.

As NEURON 9.0.2 (src/nrniv/partrans.cpp; src/nrnoc/fadvance.cpp `nrn_finitialize`, `nonvint`):
`pc.source_var(&sec.v(x), sgid)` names a voltage as source `sgid`; `pc.target_var(pp, &pp.var, sgid)` (or
`target_var(&pp.var, sgid)`) a point process's RANGE variable that receives it; `setup_transfer()` connects
them. NEURON then copies the source v into the target at finitialize (after v is set, before the INITIAL
blocks) and at each fixed step after v is updated, before the states (`nonvint`): bridge records the source
segment on the point process (`PointProcess.transfers`) and the solver copies at the same two places
(`bridge.solver.transfer`). A finitialize() with transfers not set up stops NEURON
("ParallelContext.setup_transfer() needs to be called.") and bridge. Refused by name: sources other than a
segment's v, targets other than a point process's RANGE variable (a POINTER, a density mechanism's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge.hoc.values import PointProcessTarget, RangeTarget, Ref, is_number


@dataclass
class Transfers:
    """The sources (sgid -> (section name, x)) and targets (sgid -> [(point process, variable)]) HOC named, and
    whether any was named since the last setup_transfer()."""

    sources: dict[int, tuple[str, float]] = field(default_factory=dict)
    targets: dict[int, list[tuple[Any, str]]] = field(default_factory=dict)
    pending: bool = False


def transfers_of(model) -> Transfers:
    """The ModelState's transfers (made on first use)."""
    tr = getattr(model, "partrans", None)
    if tr is None:
        tr = model.partrans = Transfers()
    return tr


def _sgid(interp, value, loc) -> int:
    if not is_number(value) or float(value) < 0 or float(value) != int(float(value)):
        raise interp.error("ParallelContext transfer: the sgid must be a whole number >= 0", loc)
    return int(float(value))


def source_var(interp, args, loc) -> float:
    """`pc.source_var(&sec.v(x), sgid)`."""
    if len(args) != 2 or not isinstance(args[0], Ref):
        raise interp.error("source_var(&sec.v(x), sgid)", loc)
    what = args[0].what
    if not (isinstance(what, RangeTarget) and what.var.name == "v"):
        raise interp.refuse("ParallelContext.source_var of a variable other than a segment's v (`&sec.v(x)`) is "
                            "not supported", loc)
    sgid = _sgid(interp, args[1], loc)
    tr = transfers_of(interp.model)
    if sgid in tr.sources:
        raise interp.error(f"source var sgid {sgid} already in use.", loc)  # partrans.cpp source_var
    tr.sources[sgid] = (what.sec.name, float(what.x))
    tr.pending = True
    return 0.0


def target_var(interp, args, loc) -> float:
    """`pc.target_var(pp, &pp.var, sgid)` or `pc.target_var(&pp.var, sgid)`."""
    if len(args) == 3:
        args = args[1:]
    if len(args) != 2 or not isinstance(args[0], Ref):
        raise interp.error("target_var([pp,] &pp.var, sgid)", loc)
    what = args[0].what
    if not isinstance(what, PointProcessTarget):
        raise interp.refuse("ParallelContext.target_var of a variable other than a point process's RANGE variable "
                            "(`&syn.vgap`) is not supported", loc)
    obj, name = what.obj, what.name
    if name in obj.info.pointers or name not in obj.info.range_names:
        raise interp.refuse(f"ParallelContext.target_var of {obj}.{name}: bridge supports a RANGE variable of the "
                            "point process, not a POINTER", loc)
    if obj.pp is None:
        raise interp.error(f"{obj} has no location; call .loc(x) first", loc)
    sgid = _sgid(interp, args[1], loc)
    transfers_of(interp.model).targets.setdefault(sgid, []).append((obj, name))
    transfers_of(interp.model).pending = True
    return 0.0


def setup_transfer(interp, args, loc) -> float:
    """`pc.setup_transfer()`: each target reads its source's v (`PointProcess.transfers`)."""
    tr = transfers_of(interp.model)
    for sgid, targets in tr.targets.items():
        if sgid not in tr.sources:
            raise interp.error(f"No source_var for target_var sgid = {sgid}", loc)  # partrans.cpp setup_transfer
        for obj, name in targets:
            if obj.pp is not None:
                obj.pp.transfers[name] = tr.sources[sgid]
    tr.pending = False
    interp.model.mutations += 1
    return 0.0


def check_finitialize(interp, loc) -> None:
    """NEURON's finitialize stops when a source_var or target_var came after the last setup_transfer()."""
    tr = getattr(interp.model, "partrans", None)
    if tr is not None and tr.pending:
        raise interp.error("ParallelContext.setup_transfer() needs to be called.", loc)
