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
  bars alone;
- chaos (`roundoff.horizon`): where NEURON's runs are deterministic but its own round-off changes its spikes,
  bridge is judged only before the horizon t_h (v by the round-off rule with NEURON's own difference up to
  t_h, states against NEURON's own up to t_h where kept, spikes and recorded NetCon spikes before t_h);
  passing there is `chaotic`, a verdict of its own, not a pass (docs/validation.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from bridge.solver.record import probe_label
from validation import roundoff
from validation.case import Tolerance, probe_variable
from validation.every_run import compare_each_run
from validation.outcome import SETTINGS, RunOutput
from validation.spike_match import match_spikes, spike_times
from validation.spikes import compare_spike_records


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
    horizon: float | None = None  # [ms] a chaotic run's horizon t_h: judged before it only (roundoff.horizon)
    horizon_why: str = ""  # what ends NEURON's reproducibility at t_h
    horizon_dv: float | None = None  # [mV] bridge's max |dV| before t_h
    runs: list = field(default_factory=list)  # each run of the model's HOC (validation.every_run.RunDiff)
    spike_records: list = field(default_factory=list)  # recorded NetCon sources (validation.spikes.SpikeRecordDiff)

    @property
    def passed(self) -> bool:
        """Matched NEURON over the whole run (a chaotic run that matched before its horizon is not passed)."""
        return not self.reasons and self.horizon is None

    @property
    def chaotic(self) -> bool:
        """Matched NEURON before the horizon of a chaotic run, which NEURON cannot reproduce beyond."""
        return not self.reasons and self.horizon is not None

    def chaotic_verdict(self, tstop: float) -> str:
        """The CHAOTIC verdict in words (`tstop` [ms])."""
        own = f"{self.roundoff_dv:.3g}" if self.roundoff_dv is not None else "-"
        share = f" ({100 * self.horizon / tstop:.1f}%)" if self.horizon is not None and tstop > 0 else ""
        return (f"matches NEURON (max |dV| {self.horizon_dv or 0.0:.3g} mV) to t_h = {self.horizon:g} ms{share} of "
                f"{tstop:g} ms; beyond, NEURON's own one-ulp run diverges (own max |dV| {own} mV; {self.horizon_why})")


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
    """Compare two runs of one case (see the module docstring). A chaotic run that bridge matches to the fixed
    bars over the whole run (as `--atol` judges it) passes: its horizon bounds an allowance it did not need."""
    out = _compare(bridge, neuron, tolerance, spike_threshold)
    if not out.chaotic:
        return out
    whole = _compare(bridge, neuron, replace(tolerance, roundoff=None), spike_threshold)
    if not whole.passed:
        return out
    whole.roundoff_dv, whole.rerun_dv, whole.roundoff_refused = out.roundoff_dv, out.rerun_dv, out.roundoff_refused
    return whole


def _compare(bridge: RunOutput, neuron: RunOutput, tolerance: Tolerance, spike_threshold: float) -> Comparison:
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
    window = max(1.0, 1000 * tolerance.spike_time)
    own = _roundoff(neuron, tolerance)
    out.roundoff_dv = max((e for lab, e in own.items() if probe_variable(lab) == "v"), default=None)
    allowed = _allowance(out, neuron, tolerance, spike_threshold, window)
    end = len(neuron.t) if out.horizon is None else int(np.searchsorted(neuron.t, out.horizon, side="left"))
    # a chaotic run's states: to the last sample before the horizon where NEURON's own difference was kept
    state_end = end if out.horizon is None else ((end - 1) // max(1, int(neuron.own_stride))) * neuron.own_stride + 1
    sq, count = 0.0, 0
    course = np.zeros(len(neuron.t))  # per sample, bridge's largest |dV| over the v recordings
    per_segment: dict[str, float] = {}
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
        upto = end if voltage else state_end  # before a chaotic run's horizon only
        judged = float(np.max(np.abs(diff[:upto]), initial=0.0))
        error = judged if voltage else judged / max(1.0, float(np.nanmax(np.abs(theirs[:upto]), initial=0.0)))
        rec = RecordingDiff(label, voltage, max_abs, rms, error)
        if voltage:
            sq += float(np.sum(diff ** 2))
            course = np.maximum(course, np.abs(diff))
            count += len(diff)
            out.max_dv = max(out.max_dv, max_abs)
            per_segment[label] = max_abs
            if label in neuron.named:
                rec.spikes_bridge = spike_times(bridge.t[:end], ours[:end], spike_threshold)  # before a horizon
                rec.spikes_neuron = spike_times(neuron.t[:end], theirs[:end], spike_threshold)
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
    _judge_dv(out, course[:end], neuron, tolerance, allowed, end)
    # the HOC's own runs: NEURON's round-off is measured on the protocol run, so each run gets that run's bar
    out.runs = compare_each_run(bridge, neuron, out.dv_bound, spike_threshold)
    for run in out.runs:
        out.reasons += run.reasons
    out.max_dv = max([out.max_dv] + [r.max_dv for r in out.runs])
    last = None if out.horizon is None else float(neuron.t[end - 1])
    out.spike_records, why_spikes = compare_spike_records(_records_before(bridge.spikes, last),
                                                          _records_before(neuron.spikes, last),
                                                          tolerance.netcon_spike_time)
    out.reasons += why_spikes
    if out.spike_shift > tolerance.spike_time:
        out.reasons.append(f"spike times differ by {out.spike_shift:.3g} ms (tol {tolerance.spike_time:g} ms)")
    if out.horizon is not None:  # a chaotic run: NEURON's own difference of each state up to the horizon
        own = _own_states_before(neuron, state_end) if allowed else {}
    factor = tolerance.roundoff if allowed and (out.horizon is None or own) else None
    before = "" if out.horizon is None else " before t_h"
    for label, err in out.state_errors.items():
        state_allowed = factor is not None and label in own
        scaled = factor * own[label] if factor is not None and state_allowed else 0.0
        if err > max(tolerance.state, scaled):
            why = (f"tol max({tolerance.state:g}, {factor:g} x NEURON's own round-off{before} {own[label]:.3g})"
                   if state_allowed else f"tol {tolerance.state:g}{_no_allowance(out)}")
            out.reasons.append(f"{label}: error {err:.3g} (relative; {why})")
    return out


def _allowance(out: Comparison, neuron: RunOutput, tolerance: Tolerance, threshold: float, window: float) -> bool:
    """Whether NEURON's own difference gives bridge a round-off allowance (`validation.roundoff.refusal`), up
    to the horizon of a chaotic run (`roundoff.horizon`: `out.horizon`); sets `out.rerun_dv`,
    `out.roundoff_refused` and, for a chaotic run, `out.horizon` and `out.horizon_why`."""
    if tolerance.roundoff is None or not neuron.roundoff:
        return False
    if neuron.rerun is not None:
        out.rerun_dv = max(neuron.rerun.values(), default=0.0)
    changed, trains = [], []
    for j, label in enumerate(neuron.named):
        if probe_variable(label) == "v" and label in neuron.labels:
            first = spike_times(neuron.t, neuron.trace(label), threshold)
            for again in (neuron.roundoff_named, neuron.rerun_named):
                if again is None:
                    continue
                trains.append((first, spike_times(neuron.t, again[:, j], threshold)))
                match = match_spikes(*trains[-1], window)
                if (match.only_a or match.only_b) and label not in changed:
                    changed.append(label)
    args = (neuron.rerun, neuron.rerun_course, neuron.roundoff_course, neuron.t, tolerance.max_dv)
    out.roundoff_refused = roundoff.refusal(*args, changed)
    if out.roundoff_refused is None or roundoff.refusal(*args, []) is not None:
        return out.roundoff_refused is None
    # deterministic, but NEURON's own round-off changes its spikes: chaos; judged before the horizon only
    own_course = _own_course(neuron)
    t_h, why = roundoff.horizon(neuron.t, own_course, trains, tolerance.spike_time, window)
    if not len(neuron.t) or t_h <= float(neuron.t[0]):
        return False
    out.horizon, out.horizon_why = t_h, why
    return True


def _own_course(neuron: RunOutput) -> np.ndarray:
    """NEURON's own largest |dV| per sample [mV]: its run with v one ulp up's, or its rerun's (a rerun that
    differs by round-off is NEURON's own difference too)."""
    assert neuron.roundoff_course is not None
    if neuron.rerun_course is None:
        return np.asarray(neuron.roundoff_course, float)
    return np.maximum(neuron.roundoff_course, neuron.rerun_course)


def _own_states_before(neuron: RunOutput, end: int) -> dict[str, float]:
    """NEURON's own difference of each non-v label up to sample `end` - 1 (a multiple of `own_stride`, at or
    before a chaotic run's horizon), relative to max(1, |NEURON's value| there), from its largest so far kept
    at every `own_stride`-th sample; empty where not kept (a state then has the fixed bar)."""
    kept = [a for a in (neuron.roundoff_states, neuron.rerun_states) if a is not None]
    others = [lab for lab in neuron.labels if probe_variable(lab) != "v"]
    if not kept or end < 1 or any(a.shape[1] != len(others) for a in kept):
        return {}
    check = (end - 1) // max(1, int(neuron.own_stride))
    row = np.max([a[check] for a in kept], axis=0)
    values = neuron.values[:end]
    return {lab: float(row[k]) / max(1.0, float(np.nanmax(np.abs(values[:, neuron.labels.index(lab)]), initial=0.0)))
            for k, lab in enumerate(others)}


def _records_before(spikes: dict[str, list[float]], last: float | None) -> dict[str, list[float]]:
    """Each recorded NetCon source's spike times [ms] up to `last`, the last sample judged before a chaotic
    run's horizon (all without one)."""
    return spikes if last is None else {k: [t for t in v if t <= last] for k, v in spikes.items()}


def _no_allowance(out: Comparison) -> str:
    return f"; no round-off allowance: {out.roundoff_refused}" if out.roundoff_refused else ""


def _judge_dv(out: Comparison, course: np.ndarray, neuron: RunOutput, tolerance: Tolerance, allowed: bool,
              end: int) -> None:
    """Bridge's |dV| per sample (`course`, the samples before `end`) against the fixed bar, or against the
    round-off bar where `allowed` (NEURON's own difference up to `end`: a chaotic run's horizon)."""
    fixed = tolerance.max_dv
    out.horizon_dv = float(np.max(course, initial=0.0)) if out.horizon is not None else None
    if not allowed:
        out.dv_bound = fixed
        if out.max_dv > fixed:
            out.reasons.append(f"max |dV| {out.max_dv:.3g} mV at {_worst(out)} (tol {fixed:g} mV{_no_allowance(out)})")
        return
    assert tolerance.roundoff is not None and neuron.roundoff_course is not None
    factor, own_course = tolerance.roundoff, _own_course(neuron)[:end]
    bar = roundoff.bar_course(fixed, factor, own_course)
    out.dv_bound = float(bar[-1]) if len(bar) else fixed
    out.roundoff_lead = roundoff.lead(course, own_course, fixed)
    k = roundoff.worst_excess(course, bar)
    if k is not None:
        own_so_far = float(roundoff.envelope(own_course)[k])
        where = f" before t_h = {out.horizon:g} ms" if out.horizon is not None else ""
        worst = float(np.max(course)) if out.horizon is not None else out.max_dv
        largest = out.roundoff_dv if out.horizon is None else float(roundoff.envelope(own_course)[-1])
        out.reasons.append(f"max |dV| {worst:.3g} mV{where} at {_worst(out)} (tol max({fixed:g} mV, "
                           f"min({roundoff.LEAD:g} x NEURON's own round-off so far, {factor:g} x its largest "
                           f"{largest:.3g} mV)); "
                           f"at t = {float(neuron.t[k]):g} ms bridge's |dV| is "
                           f"{float(course[k]):.3g} mV, NEURON's own so far {own_so_far:.3g} mV")


def _worst(out: Comparison) -> str:
    return max((r for r in out.recordings if r.voltage), key=lambda r: r.error).label  # before a horizon


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
