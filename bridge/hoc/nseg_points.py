"""Point processes when a section's nseg changes, as NEURON moves them (solve.cpp `node_realloc`).

A point process sits on a node, not at the x it was made with: `new ExpSyn(0.9)` in a one-segment section is on
the node at 0.5 (its `get_loc()` is 0.5). When nseg grows, each old node is kept and becomes new node
int(new * (i + 0.5) / old), its point processes with it. When nseg shrinks, new node j keeps old node
int(old * (j + 0.5) / new); the point processes of the old nodes not kept go to the first new node whose far end
is not before the old node's centre. Either way a point process ends on a node of the new segments, and bridge
places it at that node's centre.

The node also keeps the ion style the point process promoted there (eion.cpp `nrn_promote` on the node's ion),
and the nodes cloned from it copy it: with the synapse at soma(0.9) of a one-segment soma that reads cai, every
node of the soma computes eca from the concentrations at finitialize() after `nseg = 5`. The node keeps it too
when the point process leaves (loc() elsewhere, or destroyed). Bridge keeps those levels per segment
(`tree.Section.ion_promoted`), resampled as nseg changes.
"""

from __future__ import annotations

import numpy as np

from bridge.mechanisms import ions as ionlib


def node_moves(old: int, new: int) -> list[int]:
    """For each of the `old` nodes, the index among the `new` nodes that gets its point processes."""
    if new >= old:
        return [int(new * ((i + 0.5) / old)) for i in range(old)]
    kept = {int(old * ((j + 0.5) / new)): j for j in range(new)}
    moves, j = [], 0
    for i in range(old):
        if i in kept:
            moves.append(kept[i])
            continue
        x = (i + 0.5) / old
        while x > (j + 1.0) / new:  # node_realloc's loop over the far ends of the new segments
            j += 1
        moves.append(j)
    return moves


def relocate_points(model, sec, new: int) -> None:
    """Move the point processes placed inside `sec` (not at 0 or 1) to the nodes NEURON gives them at nseg
    `new` (before `sec.data.nseg` changes)."""
    old = sec.data.nseg
    if new == old:
        return
    moves = node_moves(old, new)
    for obj in model.point_processes:
        pp = obj.pp
        if pp is None or obj.sec is not sec or pp.x in (0.0, 1.0):
            continue
        j = sec.data.segment(pp.x)
        keep_promotion(sec.data, j, obj.info.ions)
        pp.x = (moves[j] + 0.5) / new


def keep_promotion(data, j: int, ions) -> None:
    """Node `j` of section `data` keeps the promotion of `ions` ((ion, read, write, valence) ...)."""
    for ion, read, write, _ in ions:
        conc, rev = ionlib.promotion(ion, read, write)
        levels = data.ion_promoted.setdefault(ion, np.zeros(data.nseg, np.int64))
        old = int(levels[j])
        levels[j] = max(old % 4, conc) + 4 * max(old // 4, rev)
