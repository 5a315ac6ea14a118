"""NEURON against itself for a network built in this process (the benchmarks' scripts), judged by the
harness's round-off rule (validation/roundoff.py, docs/validation.md).

The harness measures NEURON's own difference on a HOC model it loads (validation.neuron_case._own_runs); a
network built in Python with its own run sequence (hnn-core's pc.psolve, bench_events' fadvance loop) gets the
same two runs here: the run again unperturbed, and again with v one ulp up on every node after
initialisation and every `interval` ms. `judge` then applies validation.roundoff to bridge's |dV|.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from validation import roundoff
from validation.case import ROUNDOFF_FACTOR, Tolerance
from validation.spike_match import match_spikes


def nudge_v(h) -> None:
    """v one ulp higher on every node (validation.neuron_case._nudge_v)."""
    for sec in h.allsec():
        for seg in sec.allseg():
            seg.v = float(np.nextafter(seg.v, np.inf))


def nudged_run(h, init: Callable[[], None], advance_to: Callable[[float], None], tstop: float,
               interval: float = 1.0) -> None:
    """The run with v one ulp up after `init()` and again every `interval` ms [ms], `advance_to(t)` running
    the model's own steps up to t (validation.neuron_case._perturbed_run)."""
    init()
    nudge_v(h)
    k = 1
    while k * interval < tstop:
        advance_to(k * interval)
        nudge_v(h)
        k += 1
    advance_to(tstop)


def course(first: np.ndarray, again: np.ndarray) -> np.ndarray:
    """Per sample, the largest |first - again| over the columns (v recordings) [mV]; inf everywhere where the
    two have other shapes."""
    if first.shape != again.shape:
        return np.full(len(first), np.inf)
    return np.max(np.abs(first - again), axis=1, initial=0.0)


def changed_trains(first: dict, others: list[dict], window: float) -> tuple[list[str], list]:
    """The spike trains (by key) whose spikes another run adds or removes, and the (first, other) pairs."""
    changed, trains = [], []
    for key, a in first.items():
        for other in others:
            pair = (np.asarray(a, float), np.asarray(other.get(key, []), float))
            trains.append(pair)
            match = match_spikes(*pair, window)
            if (match.only_a or match.only_b) and str(key) not in changed:
                changed.append(str(key))
    return changed, trains


def judge(t: np.ndarray, ours: np.ndarray, first: np.ndarray, rerun: np.ndarray, nudged: np.ndarray,
          spikes: dict, rerun_spikes: dict, nudged_spikes: dict, labels: list[str]) -> dict:
    """Bridge's v (`ours`, samples x recordings) against NEURON's protocol run `first`, NEURON's own
    difference from its rerun and its one-ulp run, the spike trains per key of the three runs [ms]; the
    harness's rule (validation.compare._allowance with Tolerance(roundoff=ROUNDOFF_FACTOR))."""
    tol = Tolerance(roundoff=ROUNDOFF_FACTOR)
    window = max(1.0, 1000 * tol.spike_time)
    n = min(len(ours), len(first))
    t, ours, first = t[:n], ours[:n], first[:n]
    rerun_course, nudged_course = course(first, rerun[:n]), course(first, nudged[:n])
    own_course = np.maximum(rerun_course, nudged_course)
    rerun_max = {lab: float(np.max(np.abs(first[:, k] - rerun[:n, k]), initial=0.0)) if rerun.shape[0] >= n
                 else float("inf") for k, lab in enumerate(labels)}
    changed, trains = changed_trains(spikes, [rerun_spikes, nudged_spikes], window)
    args = (rerun_max, rerun_course, nudged_course, t, tol.max_dv)
    refused = roundoff.refusal(*args, changed)
    end = n
    horizon, why = float("inf"), ""
    if refused is not None and roundoff.refusal(*args, []) is None:  # chaotic: judged before t_h
        horizon, why = roundoff.horizon(t, own_course, trains, tol.spike_time, window)
        end = int(np.searchsorted(t, horizon, side="left"))
    diff = np.abs(ours - first)
    bridge_course = np.max(diff, axis=1, initial=0.0)
    bar = (roundoff.bar_course(tol.max_dv, tol.roundoff or 0.0, own_course[:end])
           if refused is None or np.isfinite(horizon) else np.full(end, tol.max_dv))
    worst = roundoff.worst_excess(bridge_course[:end], bar)
    out = {"bridge_dv": float(bridge_course.max(initial=0.0)), "own_dv": float(own_course.max(initial=0.0)),
           "rerun_dv": float(rerun_course.max(initial=0.0)), "nudged_dv": float(nudged_course.max(initial=0.0)),
           "refused": refused, "horizon": horizon, "horizon_why": why,
           "bar_end": float(bar[-1]) if len(bar) else tol.max_dv,
           "lead": roundoff.lead(bridge_course[:end], own_course[:end], tol.max_dv),
           "bridge_dv_per_label": {lab: float(diff[:, k].max(initial=0.0)) for k, lab in enumerate(labels)},
           "own_dv_per_label": {lab: max(float(np.max(np.abs(first[:, k] - nudged[:n, k]), initial=0.0)),
                                         rerun_max[lab]) if nudged.shape == first.shape else float("inf")
                                for k, lab in enumerate(labels)},
           "verdict": "PASS" if worst is None else "FAIL"}
    if worst is not None:
        out["worst"] = {"t": float(t[worst]), "bridge": float(bridge_course[worst]), "bar": float(bar[worst])}
    over = np.flatnonzero(bridge_course[:end] > tol.max_dv)
    if len(over):  # where bridge first leaves the fixed bar, and at which recording
        i = int(over[0])
        out["first_over_fixed"] = {"t": float(t[i]), "label": labels[int(np.argmax(diff[i]))],
                                   "bridge": float(bridge_course[i]), "own_so_far": float(own_course[:i + 1].max())}
    if np.isfinite(horizon) and out["bridge_dv"] > tol.max_dv:  # within the fixed bar everywhere: PASS
        out["verdict"] = "CHAOTIC" if worst is None else "FAIL"
    return out
