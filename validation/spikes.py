"""Spike times of the model's recorded NetCon sources (`NetCon.record`, `ParallelContext.spike_record`),
recorded on both sides and compared: counts and each time.

NEURON's side (`neuron_sources`, before the run): each source (NEURON's PreSyn) that records spikes into a
Vector (`NetCon.get_recordvec()`; found through the model's NetCons, and at every segment for the voltage
sources no NetCon leads from any more) gets a NetCon to nil of its own that records into a new Vector (this takes
the source's record over: the model's own Vectors are not what is compared), labelled as bridge labels its
sources: `sec(x).v` at the segment's centre, or the artificial cell's name (`NetStim[0]`). bridge's side:
`bridge.hoc.netcon.Recorded` rows of `Traces.spikes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def neuron_sources(h) -> dict[str, object]:
    """label -> a new Vector recording that source's spikes (call before stdinit)."""
    out: dict[str, object] = {}
    keep = []
    for nc in list(h.List("NetCon")):
        if nc.get_recordvec() is None:
            continue
        pre = nc.pre()
        if pre is not None:
            label, made = str(pre.hname()), h.NetCon(pre, None)
        else:
            seg = nc.preseg()
            if seg is None:
                continue
            label = f"{seg.sec.name()}({seg.x:g}).v"
            made = h.NetCon(seg._ref_v, None, sec=seg.sec)
        if label in out:
            continue
        vec = h.Vector()
        made.record(vec)
        out[label] = vec
        keep.append(made)
    _dropped_sources(h, out, keep)
    out["__keep__"] = keep  # the NetCons live as long as the dict
    return out


def _dropped_sources(h, out: dict, keep: list) -> None:
    """The voltage sources no NetCon leads from any more (a threshold NetCon handed to `pc.cell()` and dropped,
    as netparmpi.hoc's register_cell does) that still record spikes (`pc.spike_record`): NEURON keeps their
    PreSyn, and a NetCon of ours at that segment shares it (netcvode.cpp: one PreSyn per voltage location), so
    its `get_recordvec()` tells. Ours at a segment without a recorded PreSyn is dropped at once, and NEURON
    deletes the PreSyn it made with it."""
    ours = {vec.hname() for vec in out.values()}
    for sec in h.allsec():
        for seg in sec.allseg():  # the section's ends too (a source at soma(1))
            label = f"{sec.name()}({seg.x:g}).v"
            if label in out:
                continue
            made = h.NetCon(seg._ref_v, None, sec=sec)
            recorded = made.get_recordvec()
            if recorded is None or recorded.hname() in ours:  # none, or one taken over already (a shared node)
                continue
            vec = h.Vector()
            made.record(vec)
            out[label] = vec
            ours.add(vec.hname())
            keep.append(made)


def neuron_spikes(sources: dict) -> dict[str, list[float]]:
    return {k: [float(t) for t in v] for k, v in sources.items() if k != "__keep__"}


def bridge_spikes(records, traces) -> dict[str, list[float]]:
    """label -> spike times [ms] of each recorded source of a HOC model (`HocModel.spike_records`)."""
    return {rec.label: [float(t) for t in traces.spikes(rec.row)] for rec in records}


@dataclass
class SpikeRecordDiff:
    """One recorded source compared: counts, the largest time difference [ms] over the spikes both have,
    and the first spike that differs (by more than the bar, or missing on one side), or ''."""

    label: str
    count_bridge: int
    count_neuron: int
    max_dt: float
    first_divergence: str = ""


def compare_spike_records(ours: dict[str, list[float]], theirs: dict[str, list[float]],
                          tol: float) -> tuple[list[SpikeRecordDiff], list[str]]:
    """Each source's spike train, in order: counts equal and every time within `tol` [ms]."""
    rows, reasons = [], []
    for label in sorted(set(ours) | set(theirs)):
        if label not in ours or label not in theirs:
            side = "NEURON" if label in theirs else "bridge"
            reasons.append(f"spike record {label}: recorded only by {side}")
            continue
        a, b = np.asarray(ours[label], float), np.asarray(theirs[label], float)
        n = min(len(a), len(b))
        dt = np.abs(a[:n] - b[:n])
        row = SpikeRecordDiff(label, len(a), len(b), float(np.max(dt, initial=0.0)))
        bad = np.flatnonzero(dt > tol)
        if len(bad):
            k = int(bad[0])
            row.first_divergence = f"spike {k}: bridge {float(a[k])!r} ms, NEURON {float(b[k])!r} ms"
        elif len(a) != len(b):
            k = n
            row.first_divergence = (f"spike {k}: only in {'bridge' if len(a) > n else 'NEURON'} at "
                                    f"{float((a if len(a) > n else b)[k])!r} ms")
        if row.first_divergence:
            reasons.append(f"spike record {label}: {len(a)} spikes in bridge, {len(b)} in NEURON; first difference "
                           f"at {row.first_divergence} (tol {tol:g} ms)")
        rows.append(row)
    return rows, reasons
