"""NEURON's old current stimulus `fstim` as the fixed step applies it (src/nrnoc/fstim.cpp).

Not a point process: `activstim_rhs` (called by `nrn_rhs`, src/nrnoc/treeset.cpp, after every
mechanism's current and before the axial terms) adds, for each placed stimulus in index order,
`mag_seg = 1e2 * amp / area` [mA/cm2] to its node's rhs while
`delay - 1e-9 <= t <= delay + duration - 1e-9` at the step's mid time t [ms]; nothing goes to d.
The node is `node_exact(sec, loc)` and area its NODEAREA [um2] (`stim_record`).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from bridge.morphology.nodes import NodeLayout
from bridge.morphology.tree import SectionTree


@dataclass(frozen=True, eq=False)
class FStimPlan:
    """The placed stimuli: node [index], mag_seg [mA/cm2], and the on/off thresholds [ms]."""

    nodes: np.ndarray
    mag_seg: np.ndarray
    on: np.ndarray  # delay - 1e-9
    off: np.ndarray  # delay + duration - 1e-9

    @property
    def size(self) -> int:
        return len(self.nodes)


def fstim_plan(tree: SectionTree, layout: NodeLayout) -> FStimPlan:
    """The tree's `fstims` on the layout's nodes (fstim.cpp `stim_record`)."""
    area = np.asarray(layout.area, float)
    nodes = np.array([layout.node(st.section, st.x) for st in tree.fstims], dtype=np.int32)
    amp = np.array([st.amp for st in tree.fstims], dtype=float)
    delay = np.array([st.delay for st in tree.fstims], dtype=float)
    duration = np.array([st.duration for st in tree.fstims], dtype=float)
    return FStimPlan(nodes, 1.0e2 * amp / area[nodes] if len(nodes) else amp, delay - 1e-9,
                     delay + duration - 1e-9)


def add_fstim(fp: FStimPlan | None, rhs, t):
    """`activstim_rhs` at time t [ms]: rhs plus each stimulus that is on, one after the other."""
    if fp is None:
        return rhs
    for k in range(fp.size):
        mag = jnp.asarray(fp.mag_seg[k], rhs.dtype)
        on = jnp.logical_not((t < fp.on[k]) | (t > fp.off[k]))
        rhs = rhs.at[int(fp.nodes[k])].add(jnp.where(on, mag, jnp.zeros((), rhs.dtype)))
    return rhs
