"""Spike times from a sampled v trace and the in-order matching of two spike trains (pure numpy): what
`validation.compare` and `validation.roundoff` both judge spikes with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
