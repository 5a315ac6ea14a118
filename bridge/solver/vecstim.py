"""VecStim cells of a network: the hook of HOC's `vs.play(vec)` and the size of their `times` arrays.

bridge's VecStim (`bridge/mechanisms/builtin/vecstim.mod`, NEURON's vecevent.mod behaviour) keeps its
event times as a per-cell array parameter `times` of one size for the whole network: the longest
list, rounded up to a power of two (fewer distinct compiles); `ntimes` says how many are used.
`vecstim_cell(times)` is what HOC's `vs.play(vec)` must build.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bridge.errors import BridgeError
from bridge.solver.network import ArtificialCell, Network

NAME = "VecStim"


def vecstim_cell(times: Sequence[float], label: str = "") -> ArtificialCell:
    """A VecStim firing at `times` [ms] (sorted, as NEURON requires: NEURON's `vs.play(vec)`)."""
    values = tuple(float(x) for x in np.asarray(times, float).reshape(-1))
    return ArtificialCell(NAME, {"times": values, "ntimes": float(len(values))}, label)


def sized_vecstims(network: Network) -> tuple[Network, int]:
    """(the network with each VecStim's `times` a tuple and `ntimes` set (its length unless given), the
    size of `times` the VecStim mechanism needs: 0 without VecStims)."""
    if not any(c.name == NAME for c in network.cells):
        return network, 0
    cells, longest = [], 1
    for c in network.cells:
        if c.name == NAME:
            times = tuple(float(x) for x in np.asarray(c.params.get("times", ()), float).reshape(-1))
            n = float(np.asarray(c.params.get("ntimes", len(times)), float).reshape(-1)[0])
            if not 0 <= n <= len(times) or n != int(n):
                raise BridgeError(f"{c.label or NAME}: ntimes = {n} with {len(times)} times")
            c = ArtificialCell(NAME, {**c.params, "times": times, "ntimes": float(n)}, c.label)
            longest = max(longest, len(times))
        cells.append(c)
    return Network(cells=tuple(cells), netcons=network.netcons), 1 << (longest - 1).bit_length()
