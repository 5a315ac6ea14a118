"""Comparing bridge's run of a case with NEURON's (pure numpy).

- per recording: max |diff| and RMS over the whole run; voltages ([mV]) are held
  to `Tolerance.max_dv`, other variables (STATEs, concentrations) to
  `Tolerance.state` relative to max(1, max |NEURON's value|);
- spike times: upward crossings of a threshold [mV], linearly interpolated
  between samples (`spike_times`), matched in order with `match_spikes` within
  max(1 ms, 1000 x the spike-time tolerance) (unequal counts allowed: unmatched
  spikes are reported, and fail the case), on the named v recordings;
- geometry: every segment's area [um2] and ri [MOhm], relative;
- settings: tstop, dt, v_init, celsius, secondorder must agree (a different
  reading of the HOC shows up here before it shows up in the traces);
- round-off (`Tolerance.roundoff`, `validation.roundoff`): with NEURON's rerun and its run with v one ulp
  up (after initialisation and every ms, `neuron_case._own_runs`), bridge's |dV| may reach roundoff x
  NEURON's own largest difference, and at each sample `roundoff.LEAD` x NEURON's own largest difference up
  to that sample (the fixed `max_dv` the floor), and each state's error roundoff x NEURON's own there (the
  fixed `state` the floor), only where NEURON's rerun is bit-identical to its first run (or first differs
  by less than `max_dv`, then grows) and neither it nor one ulp changed NEURON's spikes; else the fixed
  bars alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bridge.solver.record import probe_label
from validation import roundoff
from validation.case import Tolerance, probe_variable
from validation.every_run import compare_each_run
from validation.outcome import SETTINGS, RunOutput
from validation.spikes import compare_spike_records


def spike_times(t: np.ndarray, v: np.ndarray, threshold: float) -> np.ndarray:
    """Times [ms] where `v` crosses `threshold` upward (v[i] < thr <= v[i+1]), linearly interpolated."""
    t, v = np.asarray(t, float), np.asarray(v, float)
    i = np.flatnonzero((v[:-1] < threshold) & (v[1:] >= threshold))
    frac = (threshold - v[i]) / (v[i + 1] - v[i])
    return t[i] + frac * (t[i + 1] - t[i])


@dataclass
class SpikeMatch:
    """Matched pairs (index into a, index into b) and the unmatched indices of each."""

    pairs: list[tuple[int, int]]
    only_a: list[int]
    only_b: list[int]

    def max_shift(self, a: np.ndarray, b: np.ndarray) -> float:
        """Largest |a - b| [ms] over the matched pairs (0 when none)."""
        return max((abs(float(a[i]) - float(b[j])) for i, j in self.pairs), default=0.0)


def match_spikes(a: np.ndarray, b: np.ndarray, window: float) -> SpikeMatch:
    """Match two sorted spike trains in order (an edit-distance alignment).

    A pair costs |a_i - b_j| and is allowed only within `window` [ms]; an
    unmatched spike costs `window`. The alignment of least total cost is
    returned, so one extra or missing spike leaves the others paired with
    their true partners.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    n, m = len(a), len(b)
    cost = np.full((n + 1, m + 1), np.inf)
    cost[0, :] = window * np.arange(m + 1)
    cost[:, 0] = window * np.arange(n + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d = abs(a[i - 1] - b[j - 1])
            pair = cost[i - 1, j - 1] + d if d <= window else np.inf
            cost[i, j] = min(pair, cost[i - 1, j] + window, cost[i, j - 1] + window)
    pairs, only_a, only_b = [], [], []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            d = abs(a[i - 1] - b[j - 1])
            if d <= window and np.isclose(cost[i, j], cost[i - 1, j - 1] + d, rtol=0, atol=1e-12 * max(1.0, window)):
                pairs.append((i - 1, j - 1))
                i, j = i - 1, j - 1
                continue
        if i > 0 and np.isclose(cost[i, j], cost[i - 1, j] + window, rtol=0, atol=1e-12 * max(1.0, window)):
            only_a.append(i - 1)
            i -= 1
        else:
            only_b.append(j - 1)
            j -= 1
    return SpikeMatch(pairs[::-1], only_a[::-1], only_b[::-1])


@dataclass
class RecordingDiff:
    """One recording compared: `max_abs` and `rms` of bridge - NEURON; `error` is what the tolerance
    judges (absolute [mV] for v, relative to max(1, |NEURON|) otherwise); spike trains for v."""

    label: str
    voltage: bool
    max_abs: float
    rms: float
    error: float
    spikes_bridge: np.ndarray | None = None
    spikes_neuron: np.ndarray | None = None
    spike_shift: float = 0.0  # [ms]
    unmatched: int = 0


@dataclass
class Comparison:
    """Everything compared for one case; `passed` and the `reasons` it failed for."""

    recordings: list[RecordingDiff] = field(default_factory=list)
    max_dv: float = 0.0  # [mV], over every voltage recording
    rms_dv: float = 0.0  # [mV], over every voltage sample
    spike_shift: float = 0.0  # [ms]
    spike_counts: tuple[int, int] = (0, 0)  # bridge, NEURON over the named v recordings
    state_errors: dict[str, float] = field(default_factory=dict)
    geometry_error: float = 0.0
    segment_dv: dict[str, np.ndarray] = field(default_factory=dict)  # section -> max |dV| per segment
    reasons: list[str] = field(default_factory=list)
    roundoff_dv: float | None = None  # [mV] NEURON's own max |dV|: its run with v one ulp up's, or its rerun's
    rerun_dv: float | None = None  # NEURON's unperturbed rerun against its first run, max over every recording
    roundoff_refused: str | None = None  # why NEURON's own difference gave no allowance (validation.roundoff)
    roundoff_lead: float | None = None  # largest bridge |dV| / NEURON's own so far, where above the fixed bar
    dv_bound: float = 0.0  # [mV] the bar max |dV| was judged against (at the end of the run)
    runs: list = field(default_factory=list)  # each run of the model's HOC (validation.every_run.RunDiff)
    spike_records: list = field(default_factory=list)  # recorded NetCon sources (validation.spikes.SpikeRecordDiff)

    @property
    def passed(self) -> bool:
        return not self.reasons


def _relative(a: list[float], b: list[float]) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        return np.inf
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300), initial=0.0))


def compare_geometry(bridge: dict, neuron: dict) -> tuple[float, list[str]]:
    """Worst relative difference of segment area and ri, and the problems found (missing sections, nseg)."""
    problems = []
    missing, extra = sorted(set(neuron) - set(bridge)), sorted(set(bridge) - set(neuron))
    if missing:
        problems.append(f"sections only in NEURON: {', '.join(missing[:8])}")
    if extra:
        problems.append(f"sections only in bridge: {', '.join(extra[:8])}")
    worst = 0.0
    for name in sorted(set(neuron) & set(bridge)):
        if len(neuron[name]["area"]) != len(bridge[name]["area"]):
            problems.append(f"{name}: nseg {len(bridge[name]['area'])} in bridge, "
                            f"{len(neuron[name]['area'])} in NEURON")
            continue
        for key in ("area", "ri"):
            worst = max(worst, _relative(bridge[name][key], neuron[name][key]))
    return worst, problems


def compare_runs(bridge: RunOutput, neuron: RunOutput, tolerance: Tolerance, spike_threshold: float) -> Comparison:
    """Compare two runs of one case (see the module docstring)."""
    out = Comparison()
    for name in SETTINGS:
        ours, theirs = bridge.settings.get(name), neuron.settings.get(name)
        if ours is None or theirs is None or abs(float(ours) - float(theirs)) > 1e-12 * max(1.0, abs(float(theirs))):
            out.reasons.append(f"{name}: bridge {ours}, NEURON {theirs}")
    out.geometry_error, problems = compare_geometry(bridge.geometry, neuron.geometry)
    out.reasons += problems
    if out.geometry_error > tolerance.geometry:
        out.reasons.append(f"geometry: area/ri differ by {out.geometry_error:.2e} "
                           f"(relative; tol {tolerance.geometry:g})")
    if len(bridge.t) != len(neuron.t):
        out.reasons.append(f"samples: bridge {len(bridge.t)}, NEURON {len(neuron.t)}")
        out.max_dv = out.rms_dv = np.inf
        return out
    sq, count = 0.0, 0
    course = np.zeros(len(neuron.t))  # per sample, bridge's largest |dV| over the v recordings
    per_segment: dict[str, float] = {}
    window = max(1.0, 1000 * tolerance.spike_time)
    shared = [lab for lab in neuron.labels if lab in bridge.labels]
    for label in sorted(set(neuron.labels) - set(bridge.labels)):
        out.reasons.append(f"{label}: not recorded by bridge")
    for label in shared:
        ours, theirs = bridge.trace(label), neuron.trace(label)
        diff = ours - theirs
        bad = np.isnan(ours) != np.isnan(theirs)
        diff = np.where(bad, np.inf, np.nan_to_num(diff))
        max_abs = float(np.max(np.abs(diff), initial=0.0))
        rms = float(np.sqrt(np.mean(diff ** 2))) if len(diff) else 0.0
        voltage = probe_variable(label) == "v"
        error = max_abs if voltage else max_abs / max(1.0, float(np.nanmax(np.abs(theirs), initial=0.0)))
        rec = RecordingDiff(label, voltage, max_abs, rms, error)
        if voltage:
            sq += float(np.sum(diff ** 2))
            course = np.maximum(course, np.abs(diff))
            count += len(diff)
            out.max_dv = max(out.max_dv, max_abs)
            per_segment[label] = max_abs
            if label in neuron.named:
                rec.spikes_bridge = spike_times(bridge.t, ours, spike_threshold)
                rec.spikes_neuron = spike_times(neuron.t, theirs, spike_threshold)
                match = match_spikes(rec.spikes_bridge, rec.spikes_neuron, window)
                rec.spike_shift = match.max_shift(rec.spikes_bridge, rec.spikes_neuron)
                rec.unmatched = len(match.only_a) + len(match.only_b)
                out.spike_shift = max(out.spike_shift, rec.spike_shift)
                nb, nn = out.spike_counts
                out.spike_counts = (nb + len(rec.spikes_bridge), nn + len(rec.spikes_neuron))
                if rec.unmatched:
                    out.reasons.append(f"{label}: {len(rec.spikes_bridge)} spikes in bridge, "
                                       f"{len(rec.spikes_neuron)} in NEURON ({rec.unmatched} unmatched)")
        else:
            out.state_errors[label] = error
        out.recordings.append(rec)
    for sec, geo in neuron.geometry.items():
        nseg = len(geo["area"])
        labels = [probe_label(sec, (j + 0.5) / nseg) for j in range(nseg)]
        if all(lab in per_segment for lab in labels):
            out.segment_dv[sec] = np.array([per_segment[lab] for lab in labels])
    out.rms_dv = float(np.sqrt(sq / count)) if count else 0.0
    own = _roundoff(neuron, tolerance)
    out.roundoff_dv = max((e for lab, e in own.items() if probe_variable(lab) == "v"), default=None)
    allowed = _allowance(out, neuron, tolerance, spike_threshold, window)
    _judge_dv(out, course, neuron, tolerance, allowed)
    # the HOC's own runs: NEURON's round-off is measured on the protocol run, so each run gets that run's bar
    out.runs = compare_each_run(bridge, neuron, out.dv_bound, spike_threshold)
    for run in out.runs:
        out.reasons += run.reasons
    out.max_dv = max([out.max_dv] + [r.max_dv for r in out.runs])
    out.spike_records, why_spikes = compare_spike_records(bridge.spikes, neuron.spikes, tolerance.netcon_spike_time)
    out.reasons += why_spikes
    if out.spike_shift > tolerance.spike_time:
        out.reasons.append(f"spike times differ by {out.spike_shift:.3g} ms (tol {tolerance.spike_time:g} ms)")
    for label, err in out.state_errors.items():
        scaled = tolerance.roundoff * own[label] if allowed and label in own else 0.0
        if err > max(tolerance.state, scaled):
            why = (f"tol max({tolerance.state:g}, {tolerance.roundoff:g} x NEURON's own round-off {own[label]:.3g})"
                   if allowed and label in own else f"tol {tolerance.state:g}{_no_allowance(out)}")
            out.reasons.append(f"{label}: error {err:.3g} (relative; {why})")
    return out


def _allowance(out: Comparison, neuron: RunOutput, tolerance: Tolerance, threshold: float, window: float) -> bool:
    """Whether NEURON's own difference gives bridge a round-off allowance (`validation.roundoff.refusal`);
    sets `out.rerun_dv` and `out.roundoff_refused`."""
    if tolerance.roundoff is None or not neuron.roundoff:
        return False
    if neuron.rerun is not None:
        out.rerun_dv = max(neuron.rerun.values(), default=0.0)
    changed = []
    for j, label in enumerate(neuron.named):
        if probe_variable(label) == "v" and label in neuron.labels:
            first = spike_times(neuron.t, neuron.trace(label), threshold)
            for again in (neuron.roundoff_named, neuron.rerun_named):
                if again is None:
                    continue
                match = match_spikes(first, spike_times(neuron.t, again[:, j], threshold), window)
                if (match.only_a or match.only_b) and label not in changed:
                    changed.append(label)
    out.roundoff_refused = roundoff.refusal(neuron.rerun, neuron.rerun_course, neuron.roundoff_course, neuron.t,
                                            tolerance.max_dv, changed)
    return out.roundoff_refused is None


def _no_allowance(out: Comparison) -> str:
    return f"; no round-off allowance: {out.roundoff_refused}" if out.roundoff_refused else ""


def _judge_dv(out: Comparison, course: np.ndarray, neuron: RunOutput, tolerance: Tolerance, allowed: bool) -> None:
    """Bridge's |dV| per sample against the fixed bar, or against the round-off bar where `allowed`."""
    fixed = tolerance.max_dv
    if not allowed:
        out.dv_bound = fixed
        if out.max_dv > fixed:
            out.reasons.append(f"max |dV| {out.max_dv:.3g} mV at {_worst(out)} (tol {fixed:g} mV{_no_allowance(out)})")
        return
    assert tolerance.roundoff is not None and neuron.roundoff_course is not None
    factor, own_course = tolerance.roundoff, neuron.roundoff_course
    if neuron.rerun_course is not None:  # a rerun that differs by round-off: NEURON's own difference too
        own_course = np.maximum(own_course, neuron.rerun_course)
    bar = roundoff.bar_course(fixed, factor, own_course)
    out.dv_bound = float(bar[-1]) if len(bar) else fixed
    out.roundoff_lead = roundoff.lead(course, own_course, fixed)
    k = roundoff.worst_excess(course, bar)
    if k is not None:
        own_so_far = float(roundoff.envelope(own_course)[k])
        out.reasons.append(f"max |dV| {out.max_dv:.3g} mV at {_worst(out)} (tol max({fixed:g} mV, "
                           f"min({roundoff.LEAD:g} x NEURON's own round-off so far, {factor:g} x its largest "
                           f"{out.roundoff_dv:.3g} mV)); at t = {float(neuron.t[k]):g} ms bridge's |dV| is "
                           f"{float(course[k]):.3g} mV, NEURON's own so far {own_so_far:.3g} mV")


def _worst(out: Comparison) -> str:
    return max((r for r in out.recordings if r.voltage), key=lambda r: r.max_abs).label


def _roundoff(neuron: RunOutput, tolerance: Tolerance) -> dict[str, float]:
    """NEURON's own difference per label, the larger of its run with v one ulp up's and its rerun's, judged
    as the comparison judges bridge's (absolute for v, relative to max(1, |NEURON|) otherwise); empty
    without round-off."""
    if tolerance.roundoff is None or not neuron.roundoff:
        return {}
    out = {}
    for label, diff in neuron.roundoff.items():
        diff = max(diff, (neuron.rerun or {}).get(label, 0.0))
        if label in neuron.labels and probe_variable(label) != "v":
            diff /= max(1.0, float(np.nanmax(np.abs(neuron.trace(label)), initial=0.0)))
        out[label] = float(diff)
    return out
