"""NEURON against itself: how much of bridge's difference from NEURON round-off may explain (pure numpy).

With a round-off factor (`Tolerance.roundoff`), NEURON runs each case three times
(`validation.neuron_case._own_runs`): the protocol run, the same run again, and the run with v one ulp up
on every node after initialisation and every ms (at most `ROUNDOFF_NUDGES` nudges). Provided NEURON's
difference is round-off (`refusal`), bridge's |dV| may reach `factor` x NEURON's own largest difference
over the run and, at each sample, `LEAD` x NEURON's own largest difference up to that sample (`bar_course`;
the fixed bar is the floor of both). NEURON's difference is round-off when

- deterministic up to round-off: the unperturbed rerun equals the first run bit for bit, or the two first
  differ (the first sample where any v differs) by less than the fixed bar on v and grow from there: NEURON
  summing in an order that varies between runs (ModelDB 195666's multisplit on 8 threads: first 1 ulp at
  step 77 in one rerun, 6.9e-12 mV at step 57 in another, 1.7e-4 to 2.3e-4 mV at 50 ms; on one thread
  bit-identical). The rerun's difference then counts as NEURON's own too. A model that draws random numbers
  anew, or leaves state a run does not reset for the next run, makes two runs differ for another reason, at
  once by more than round-off; its difference is no measure of round-off, so it gets no allowance;
- in the linear regime: the perturbed run's spikes on the named v recordings pair one to one with the
  first run's (`spike_match.match_spikes`). One ulp that adds or removes a spike is chaos or a threshold
  met exactly: no trace can be checked to round-off there.

The bar in time: a difference of bridge's that appears while NEURON's own is still small (a wrong number
where the model is still insensitive) fails, however large NEURON's own difference becomes later. `LEAD`
is larger than `factor` because one ulp of v every ms is a smaller push than bridge's round-off in every
variable at every step, and an ill-conditioned step turns both into their sizes at once (ModelDB 240957's
stimulus onset: 1.4e-14 mV to 4.8e-8 mV in NEURON, to 8.8e-7 mV in bridge, 18 x; the two then grow together,
about 2-5 x apart: benchmarks/results/roundoff_s24_2026-12-07.md). What can still pass: an error of bridge's
that starts where NEURON's own difference is already large and stays below both bars (docs/validation.md).

A chaotic model (`horizon`): deterministic, but one ulp (or the rerun's round-off) changes NEURON's own spikes.
NEURON cannot reproduce its own trace beyond the first spike it moves by more than the spike-time tolerance
(or adds or removes), or beyond the first sample where its own difference reaches `DIVERGED`, whichever is
earlier: the horizon t_h. Bridge is judged on the samples before t_h by the rule above (NEURON's own
difference up to t_h), and its spikes before t_h as always; passing there is CHAOTIC, not PASS.
"""

from __future__ import annotations

import numpy as np

LEAD = 100.0  # bridge's |dV| at most this many times NEURON's own difference so far (the module docstring)
# [mV] NEURON's own difference that ends the checkable part of a chaotic run (`horizon`): past it the bar,
# LEAD or factor x NEURON's own, would be tens of mV, no longer a measure of round-off (docs/validation.md)
DIVERGED = 1.0


def refusal(rerun: dict[str, float] | None, rerun_course: np.ndarray | None, perturbed_course: np.ndarray | None,
            t: np.ndarray, fixed: float, spikes_changed: list[str]) -> str | None:
    """Why NEURON's own difference gives no allowance (None: it does). `rerun`: max |first - rerun| per
    label and `rerun_course` per sample over the v labels [mV] (None: not measured); `perturbed_course` the
    same for the run with v one ulp up; `t` [ms] the samples; `fixed` [mV] the fixed bar on v, above which a
    first difference is not round-off; `spikes_changed`: the named v recordings whose spikes the rerun or
    one ulp changed."""
    if rerun is None or rerun_course is None:
        return "no rerun of NEURON to show it deterministic"
    if perturbed_course is None:
        return "no time course of NEURON's own difference"
    if not (np.all(np.isfinite(rerun_course)) and np.all(np.isfinite(perturbed_course))):
        return "NEURON's rerun or its run with v one ulp up has other samples, or NaN where the first has none"
    moved = np.flatnonzero(np.asarray(rerun_course) != 0.0)
    first = float(rerun_course[moved[0]]) if len(moved) else 0.0
    if first > fixed or (not len(moved) and any(d != 0.0 for d in rerun.values())):
        label = max(rerun, key=lambda lab: rerun[lab])
        where = f", from {first:.3g} mV at t = {float(t[moved[0]]):g} ms" if len(moved) else " (not in v)"
        return (f"NEURON's second unperturbed run differs from its first by {rerun[label]:.3g} at {label}{where} "
                "(more than round-off at once: random numbers, or state one run leaves for the next)")
    if spikes_changed:
        return f"NEURON's rerun or one ulp of v changes its own spikes at {', '.join(spikes_changed[:3])}"
    return None


def horizon(t: np.ndarray, own_course: np.ndarray, trains: list[tuple[np.ndarray, np.ndarray]],
            spike_time: float, window: float, diverged: float = DIVERGED) -> tuple[float, str]:
    """The horizon t_h [ms] of a chaotic run and what ends it: the earliest of the first spike of NEURON's run
    that another run of its own (`trains`: pairs of spike trains [ms], NEURON's run and the other, per named v
    recording) lacks, gains, or moves by more than `spike_time` [ms] (paired within `window` [ms],
    `spike_match.match_spikes`), and the first sample where NEURON's own difference `own_course` [mV] exceeds
    `diverged`. inf where neither happens."""
    from validation.spike_match import match_spikes

    t_h, why = np.inf, ""
    over = np.flatnonzero(np.asarray(own_course, float) > diverged)
    if len(over):
        t_h, why = float(t[over[0]]), f"NEURON's own difference exceeds {diverged:g} mV"
    for first, again in trains:
        match = match_spikes(first, again, window)
        moved = [min(float(first[i]), float(again[j])) for i, j in match.pairs
                 if abs(float(first[i]) - float(again[j])) > spike_time]
        for when, what in ([(float(first[i]), "lost") for i in match.only_a]
                           + [(float(again[j]), "gained") for j in match.only_b]
                           + [(w, f"moved by more than {spike_time:g} ms") for w in moved]):
            if when < t_h:
                t_h, why = when, f"a spike of NEURON's run {what} under its own round-off"
    return t_h, why


def envelope(course: np.ndarray) -> np.ndarray:
    """The running maximum of NEURON's own |first - perturbed| per sample [mV]."""
    return np.maximum.accumulate(np.asarray(course, float)) if len(course) else np.zeros(0)


def bar_course(fixed: float, factor: float, course: np.ndarray, lead: float = LEAD) -> np.ndarray:
    """The bar [mV] on bridge's |dV| per sample: max(`fixed`, min(`lead` x NEURON's own difference so far,
    `factor` x NEURON's own largest difference over the run))."""
    own = envelope(course)
    end = float(own[-1]) if len(own) else 0.0
    return np.maximum(fixed, np.minimum(lead * own, factor * end))


def worst_excess(bridge_course: np.ndarray, bar: np.ndarray) -> int | None:
    """The sample where bridge's |dV| is furthest above `bar` (relative), or None where it never is."""
    over = np.asarray(bridge_course, float) > bar
    if not over.any():
        return None
    ratio = np.where(over, bridge_course / np.maximum(bar, 1e-300), 0.0)
    return int(np.argmax(ratio))


def lead(bridge_course: np.ndarray, course: np.ndarray, fixed: float) -> float | None:
    """The largest ratio of bridge's |dV| to NEURON's own difference so far, over the samples where bridge's
    |dV| is above `fixed` (None: nowhere; inf where NEURON's own is still 0 there)."""
    bridge_course = np.asarray(bridge_course, float)
    above = bridge_course > fixed
    if not above.any():
        return None
    own = envelope(course)[above]
    with np.errstate(divide="ignore"):
        return float(np.max(np.where(own > 0, bridge_course[above] / np.where(own > 0, own, 1.0), np.inf)))
