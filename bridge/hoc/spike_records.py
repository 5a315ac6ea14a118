"""Spike record Vectors (`NetCon.record`, `ParallelContext.spike_record`) and NetCon weights as HOC reads them
after a run: filled from HOC's live run (`bridge.hoc.live`), as NEURON fills them (`PreSyn::record`: each spike
appended as it happens) and keeps them (the NetCon's weight_ array is NET_RECEIVE's argument array).
"""

from __future__ import annotations

from typing import Any


def sync_weights(interp) -> None:
    """At finitialize(): the weights a run's NET_RECEIVE changed are what the next run starts from (NEURON keeps
    them in the NetCon's weight_ array); the last run is simulated first when a target's NET_RECEIVE assigns its
    arguments (`MechanismInfo.net_receive_writes`)."""
    ev = interp.model.event_objects
    live = interp.model.live
    if ev is None or not live.started():
        return
    ncs = [nc for nc in ev.netcons.values() if nc.target is not None and nc.target.info.net_receive_writes]
    for nc in ncs:
        row = live.netcon_args(str(nc))
        if row is not None:
            nc.weight = [float(a) for a in row[:len(nc.weight)]]


def mark_spike_vectors(interp, vectors) -> None:
    """Spike record Vectors are filled from the live run when HOC reads them (`fill_spike_vectors`)."""
    for vec in vectors:
        vec._spike_fill = fill_spike_vectors


def fill_spike_vectors(interp, loc) -> None:
    """Every spike record Vector of the present run, as NEURON holds them now (the live run, `bridge.hoc.live`,
    simulated as far as HOC asked first). Before any finitialize() they keep what HOC put in them."""
    live = interp.model.live
    if interp.model.initialized is None or not live.started():
        return
    if getattr(live, "spikes_filled", None) == live.epoch:
        return
    from bridge.errors import BridgeError

    try:
        got = live.spikes()
    except BridgeError as err:
        raise interp.error(str(err), loc) from None
    live.spikes_filled = live.epoch
    if got is None:
        return
    records, holder = got  # bridge.hoc.netcon.Recorded rows, and the run's spikes
    for vec, values in spike_vectors(records, holder):
        vec._reserve(interp, len(values), loc)
        vec.data = values


def spike_vectors(records: tuple, traces) -> list[tuple[Any, list[float]]]:
    """What each spike record Vector holds after the run `traces` (`Traces.spikes`), as NEURON fills it:
    `PreSyn::record` appends each spike's time (and the id to an id Vector) as it happens, so sources
    sharing a Vector interleave in time (equal times in the order of the sources' rows)."""
    entries: dict[int, list] = {}
    vectors: dict[int, Any] = {}
    for rec in records:
        times = [float(t) + rec.shift for t in traces.spikes(rec.row)]
        for tvec, idvec, rid in rec.records:
            vectors[id(tvec)] = tvec
            entries.setdefault(id(tvec), []).extend((t, rec.row, t) for t in times)
            if idvec is not None:
                vectors[id(idvec)] = idvec
                entries.setdefault(id(idvec), []).extend((t, rec.row, rid) for t in times)
    return [(vectors[k], [v for _, _, v in sorted(e, key=lambda a: (a[0], a[1]))]) for k, e in entries.items()]
