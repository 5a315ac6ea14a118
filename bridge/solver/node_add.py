"""Per-instance values added into per-node arrays (NEURON's `VEC_RHS(ni) -= rhs` loops of nrn_cur), in a form
XLA fuses.

`target.at[nodes].add(values)` is a scatter, and XLA's CPU backend compiles every scatter as a kernel of its own
(one LLVM module each: most of a many-mechanism cell's compile time is the kernel count,
benchmarks/results/compile_s24_2026-12-07.txt). Where the nodes are distinct (a density mechanism: one instance
per node) the same sums are `where(mask, target + values[inverse], target)`: a gather with constant indices and
an element-wise select, which XLA fuses with the code around it. Each node in `nodes` gets exactly the one
addition `target + value` the scatter makes, and every other node keeps its bits (a select, not `+ 0.0`, which
would turn -0.0 into +0.0). A sparse mechanism (few nodes of a large tree) keeps the scatter: the fused form
touches every node.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

DENSE = 4  # the fused form where the nodes are at least 1/DENSE of the array (else a scatter)


def _fused(target, nodes: np.ndarray, unique: bool) -> bool:
    return unique and DENSE * len(nodes) >= target.shape[-1]


def _spread(target, nodes: np.ndarray, values):
    """(values at each node of `target`'s last axis, 0 elsewhere; the mask of `nodes`): a gather."""
    n, m = target.shape[-1], len(nodes)
    inverse = np.full(n, m, np.int32)
    inverse[np.asarray(nodes)] = np.arange(m, dtype=np.int32)
    values = jnp.broadcast_to(jnp.asarray(values, target.dtype), target.shape[:-1] + (m,))
    padded = jnp.concatenate([values, jnp.zeros(target.shape[:-1] + (1,), target.dtype)], axis=-1)
    return padded[..., inverse], inverse < m


def add_at(target, nodes: np.ndarray, values, unique: bool):
    """`target.at[..., nodes].add(values)` along the last axis; `unique`: `nodes` sorted and distinct."""
    if not _fused(target, nodes, unique):
        return target.at[..., nodes].add(values, indices_are_sorted=unique, unique_indices=unique)
    spread, mask = _spread(target, nodes, values)
    return jnp.where(mask, target + spread, target)


def set_at(target, nodes: np.ndarray, values, unique: bool):
    """`target.at[..., nodes].set(values)` along the last axis; `unique`: `nodes` sorted and distinct."""
    if not _fused(target, nodes, unique):
        return target.at[..., nodes].set(values, indices_are_sorted=unique, unique_indices=unique)
    spread, mask = _spread(target, nodes, values)
    return jnp.where(mask, spread, target)
