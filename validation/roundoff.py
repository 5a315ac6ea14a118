"""NEURON against itself: how much of bridge's difference from NEURON round-off may explain (pure numpy).

With a round-off factor (`Tolerance.roundoff`), NEURON runs each case three times
(`validation.neuron_case._own_runs`): the protocol run, the same run again, and the run with v one ulp up
on every node after initialisation and every ms (at most `ROUNDOFF_NUDGES` nudges). Bridge's |dV| at
each sample may then reach `factor` x the largest |first - perturbed| over the v recordings up to that
sample (`bar_course`; the fixed bar is the floor), provided NEURON's difference is round-off (`refusal`):

- deterministic: the unperturbed rerun equals the first run bit for bit on every recording. A model that
  draws random numbers anew, or leaves state a run does not reset for the next run, makes two runs differ
  for another reason; its difference is no measure of round-off, so it gets no allowance;
- in the linear regime: the perturbed run's spikes on the named v recordings pair one to one with the
  first run's (`compare.match_spikes`). One ulp that adds or removes a spike is chaos or a threshold
  met exactly: no trace can be checked to round-off there.

The bar follows NEURON's own difference in time, so a difference of bridge's that appears before NEURON's
own has grown to it (a wrong number where the model is still insensitive) fails, however large NEURON's
own difference becomes later. What can still pass: an error of bridge's that starts where NEURON's own
difference is already large, and stays below `factor` x it (docs/validation.md).
"""

from __future__ import annotations

import numpy as np


def refusal(rerun: dict[str, float] | None, spikes_changed: list[str]) -> str | None:
    """Why NEURON's own difference gives no allowance (None: it does). `rerun`: max |first - rerun| per
    label (None: not measured); `spikes_changed`: the named v recordings whose spikes one ulp changed."""
    if rerun is None:
        return "no rerun of NEURON to show it deterministic"
    moved = {label: d for label, d in rerun.items() if d != 0.0}
    if moved:
        label = max(moved, key=lambda lab: moved[lab])
        return (f"NEURON's second unperturbed run differs from its first by {moved[label]:.3g} at {label} "
                "(random numbers, or state one run leaves for the next)")
    if spikes_changed:
        return f"one ulp of v changes NEURON's own spikes at {', '.join(spikes_changed[:3])}"
    return None


def envelope(course: np.ndarray) -> np.ndarray:
    """The running maximum of NEURON's own |first - perturbed| per sample [mV]."""
    return np.maximum.accumulate(np.asarray(course, float)) if len(course) else np.zeros(0)


def bar_course(fixed: float, factor: float, course: np.ndarray) -> np.ndarray:
    """The bar [mV] on bridge's |dV| per sample: max(`fixed`, `factor` x NEURON's own difference so far)."""
    return np.maximum(fixed, factor * envelope(course))


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
