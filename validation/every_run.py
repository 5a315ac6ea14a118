"""Each run the model's own HOC makes, compared (an f-I loop: `stim.amp = ...  run()` several times).

NEURON's side keeps v at the soma-like root and at the distal end of every run the HOC makes while it loads
(`validation.neuron_case._HocRuns`: a run goes from one finitialize() to the next, a run with no step is left
out); bridge's live run keeps the same probes of its runs (`bridge.hoc.live.LiveRun.keep_runs`). A model that
runs once is compared as before, on the protocol run alone; one that runs more often gets each run compared:
run index, max |dV| and spike counts, the worst in the case's max |dV|.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from validation.outcome import RunOutput


def spike_count(v: np.ndarray, threshold: float) -> int:
    """Upward crossings of `threshold` (v[i] < thr <= v[i+1]), as `validation.compare.spike_times` finds them."""
    return int(np.count_nonzero((v[:-1] < threshold) & (v[1:] >= threshold)))


@dataclass
class RunDiff:
    """Run `index` (1 = the HOC's first) compared: max |dV| [mV] over the probes, spike counts at the soma
    (bridge, NEURON), and what failed (empty: passed)."""

    index: int
    max_dv: float
    spikes: tuple[int, int]
    reasons: list[str]


def compare_each_run(bridge: RunOutput, neuron: RunOutput, bound: float, spike_threshold: float) -> list[RunDiff]:
    """Each of the HOC's runs compared (none when NEURON saw fewer than two); `bound` [mV]: the bar for max |dV|."""
    if len(neuron.runs) < 2:
        return []
    out = []
    if len(bridge.runs) != len(neuron.runs):
        return [RunDiff(0, np.inf, (0, 0), [f"the HOC made {len(neuron.runs)} runs in NEURON, "
                                            f"{len(bridge.runs)} in bridge"])]
    for k, ((tb, yb), (tn, yn)) in enumerate(zip(bridge.runs, neuron.runs), start=1):
        if yb.shape != yn.shape:
            out.append(RunDiff(k, np.inf, (0, 0), [f"run {k}: {len(tb)} samples in bridge, {len(tn)} in NEURON"]))
            continue
        diff = np.where(np.isnan(yb) != np.isnan(yn), np.inf, np.abs(np.nan_to_num(yb - yn)))
        dv = max(float(np.max(diff, initial=0.0)), float(np.max(np.abs(tb - tn), initial=0.0)))
        spikes = (spike_count(yb[:, 0], spike_threshold), spike_count(yn[:, 0], spike_threshold))
        reasons = []
        if dv > bound:
            reasons.append(f"run {k}: max |dV| {dv:.3g} mV (tol {bound:.3g} mV)")
        if spikes[0] != spikes[1]:
            reasons.append(f"run {k}: {spikes[0]} spikes in bridge, {spikes[1]} in NEURON")
        out.append(RunDiff(k, dv, spikes, reasons))
    return out
