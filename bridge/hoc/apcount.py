"""`apc.record(vec)` of bridge's built-in APCount (bridge/mechanisms/builtin/apcount.mod).

NEURON's apcount.mod appends t to the Vector in its check(), run once v has been advanced, when v reaches
thresh from below. bridge records the same crossings as a spike record (`bridge.hoc.netcon.PreSyn`) with a
threshold of 0.5 on the APCount's own `firing`, which check() sets to 1 at each crossing: the fixed step's threshold
check (`bridge.solver.events`, NEURON's PreSyn) sees it at the t check() ran (tests/hoc/test_apcount.py runs both
in NEURON 9.0.2). The source is the APCount's own, so APCounts and NetCons at one place do not share it,
and thresh is the mechanism's, which HOC may change during a run. The threshold check's t + 1e-10 is
taken off again. `bridge validate` does not compare these records (NEURON's side records NetCon sources).
Not the same as NEURON: a crossing already there at finitialize() (v >= thresh at t = 0), which
apcount.mod's INITIAL appends and a threshold check does not.
"""

from __future__ import annotations

from bridge.hoc import spike_records
from bridge.hoc.netcon import PreSyn, events_of
from bridge.hoc.point_process import PointProcessObject
from bridge.solver.events import THRESHOLD_EPS


class APCountSource(PreSyn):
    """An APCount's crossings of its thresh [mV] by its segment's v (its firing rising), recorded into one
    Vector."""

    def __init__(self, apc) -> None:
        super().__init__("apcount", apc, f"{apc}.record")
        self.apc = apc
        self.threshold = 0.5  # on firing (0 or 1)
        self.time_shift = -THRESHOLD_EPS  # check_thresh sends at t + 1e-10; apcount.mod appends t

    def end_of_source(self, pp_index: dict) -> tuple | None:
        """The `bridge.solver.network.NetCon` source: a threshold on the APCount's firing."""
        pp = self.apc.pp
        return None if pp is None or id(pp) not in pp_index else ("point", pp_index[id(pp)], "firing")

    def alive(self) -> bool:
        return self.apc.pp is not None and bool(self.apc.sec.alive)


def record(interp, apc, args, loc) -> float:
    """`apc.record(vec)`: the APCount's crossing times go to vec (emptied at finitialize()); `apc.record()`
    stops recording."""
    from bridge.hoc.vector import Vector
    from bridge.nmodl.load import BUILTIN_DIR

    path = getattr(apc.info, "path", None)
    if path is None or path.resolve().parent != BUILTIN_DIR.resolve():
        raise interp.refuse(f"{apc}.record(): only bridge's own APCount records spike times", loc)
    if len(args) > 1 or (args and not isinstance(args[0], Vector)):
        raise interp.error("APCount.record(vec) takes one Vector (or none)", loc)
    if apc.pp is None:
        raise interp.error(f"{apc} has no location; call .loc(x) first", loc)
    ev = events_of(interp.model)
    key = ("apcount", id(apc))
    src = ev.presyns.get(key)
    if not isinstance(src, APCountSource) or src.apc is not apc:
        src = APCountSource(apc)
        src.seq = ev.next()
        ev.presyns[key] = src
    src.records = [(args[0], None, 0.0)] if args else []
    if args:
        spike_records.mark_spike_vectors(interp, [args[0]])
    interp.model.mutations += 1
    return 1.0  # NEURON: a PROCEDURE called from HOC returns 1


class APCountObject(PointProcessObject):
    """`new APCount(x)`: a point process with NEURON's `record(vec)`."""

    def m_record(self, interp, args, loc):
        return record(interp, self, args, loc)
