"""Hines elimination on NEURON's node tree, level by level, in JAX.

NEURON solves M x = rhs with M[i,i]=d_i, M[i,p]=b_i, M[p,i]=a_i (p the
parent of i, p < i) by `triang` (eliminate from the last node up to the
roots) and `bksub` (substitute back from the roots down), spec section 2
step 4. Every node of one tree depth depends only on nodes of deeper levels
(triang) or of the level above (bksub), so a whole level is one gather and one
scatter. The levels are padded to one width and walked with `lax.fori_loop`,
so the traced program has the same size for 10 or 10,000 nodes and compiles
in constant time; a batch comes from `jax.vmap` on top. On a GPU a loop
iteration costs a device-to-host round trip, so there the levels are unrolled
(compile time then grows with the tree's depth).

Within a level the children of one parent are applied in NEURON's order
(decreasing node index), so on a CPU the result equals NEURON's bit for bit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np


@dataclass(frozen=True, eq=False)
class TreeLevels:
    """Static description of a node tree for the level-parallel solve.

    `roots` are the nodes without a parent. `child[l]` / `child_parent[l]` list the
    nodes of depth `l + 1` and their parents, padded with the dummy index `n`
    (one extra slot appended to every array during the solve).
    """

    n: int
    parent: np.ndarray  # (n,) int32, -1 on roots
    roots: np.ndarray  # (ncell,) int32
    child: np.ndarray  # (depth, width) int32, level 1 first
    child_parent: np.ndarray  # (depth, width) int32, the parents of `child`

    @property
    def depth(self) -> int:
        return self.child.shape[0]

    @property
    def width(self) -> int:
        return self.child.shape[1]


def tree_levels(parent: np.ndarray) -> TreeLevels:
    """Levels of a node tree given each node's parent (-1 for roots; parent < child)."""
    parent = np.asarray(parent, dtype=np.int64)
    n = len(parent)
    if np.any(parent >= np.arange(n)):
        raise ValueError("tree_levels: every parent index must be smaller than its child's")
    depth = np.zeros(n, dtype=np.int64)
    for i in range(n):  # parents come first, so one pass suffices
        if parent[i] >= 0:
            depth[i] = depth[parent[i]] + 1
    roots = np.flatnonzero(parent < 0).astype(np.int32)
    max_depth = int(depth.max(initial=0))
    members = [np.flatnonzero(depth == lvl)[::-1] for lvl in range(1, max_depth + 1)]  # NEURON order: last first
    width = max((len(m) for m in members), default=1)
    child = np.full((max_depth, width), n, dtype=np.int32)
    par = np.full((max_depth, width), n, dtype=np.int32)
    for lvl, m in enumerate(members):
        child[lvl, : len(m)] = m
        par[lvl, : len(m)] = parent[m]
    return TreeLevels(n=n, parent=parent.astype(np.int32), roots=roots, child=child, child_parent=par)


def _pad(x: jax.Array, value: float) -> jax.Array:
    return jnp.concatenate([x, jnp.full((1,), value, dtype=x.dtype)])


@partial(jax.custom_vjp, nondiff_argnums=(4,))
def hines_solve(d: jax.Array, rhs: jax.Array, a: jax.Array, b: jax.Array, levels: TreeLevels) -> jax.Array:
    """Solve NEURON's tree matrix for one cell group; returns the solution (NEURON's new `rhs`).

    d, rhs, a, b: (n,) arrays in NEURON's node order. Units follow the
    caller (for the cable equation: d [S/cm2], rhs [mA/cm2], solution [mV]).
    Reverse mode does not differentiate the loops: the cotangent is one more
    solve with the transposed matrix (a and b swapped), see `_solve_bwd`.
    (A custom VJP: `jax.grad`/`jax.vjp` work, forward mode `jax.jvp`/`jacfwd` does not.)
    """
    return _solve(d, rhs, a, b, levels)


def _solve_fwd(d, rhs, a, b, levels):
    x = _solve(d, rhs, a, b, levels)
    return x, (d, a, b, x)


def _solve_bwd(levels, residuals, x_bar):
    """x = M^-1 rhs  =>  rhs_bar = M^-T x_bar, M_bar = -rhs_bar x^T on M's pattern."""
    d, a, b, x = residuals
    lam = _solve(d, x_bar, b, a, levels)  # M^T has a and b swapped
    parent = jnp.asarray(np.maximum(levels.parent, 0))
    has_parent = jnp.asarray(levels.parent >= 0)
    a_bar = jnp.where(has_parent, -lam[parent] * x, 0.0)  # M[p, i] = a_i
    b_bar = jnp.where(has_parent, -lam * x[parent], 0.0)  # M[i, p] = b_i
    return -lam * x, lam, a_bar, b_bar


hines_solve.defvjp(_solve_fwd, _solve_bwd)


MAX_UNROLLED_DEPTH = 128  # deeper trees (long unbranched cables) keep a loop, unrolled by 16, on GPUs


def _unroll(depth: int) -> int:
    """How many levels one loop iteration handles: all of them (a Python loop) on a GPU, where each
    iteration costs a device-to-host round trip, 1 on a CPU (constant compile time). Trees deeper
    than MAX_UNROLLED_DEPTH use 16 per iteration on a GPU, so compile time stays bounded.
    `BRIDGE_TREE_SOLVE=loop|unrolled` overrides the choice."""
    choice = os.environ.get("BRIDGE_TREE_SOLVE", "")
    gpu = jax.default_backend() != "cpu" if choice not in ("loop", "unrolled") else choice == "unrolled"
    if not gpu:
        return 1
    return depth if depth <= MAX_UNROLLED_DEPTH else 16


def _solve(d, rhs, a, b, levels: TreeLevels):
    d = _pad(d, 1.0)
    rhs = _pad(rhs, 0.0)
    child = jnp.asarray(levels.child)
    parent = jnp.asarray(levels.child_parent)
    a_lvl = _pad(a, 0.0)[child]  # the constant coefficients per level, gathered once
    b_lvl = _pad(b, 0.0)[child]
    depth = levels.depth

    def triang(k, carry):
        d, rhs = carry
        lvl = depth - 1 - k  # deepest level first
        c, p, bc = child[lvl], parent[lvl], b_lvl[lvl]
        f = a_lvl[lvl] / d[c]
        d = d.at[p].add(-(f * bc))
        rhs = rhs.at[p].add(-(f * rhs[c]))
        return d, rhs

    def bksub(lvl, rhs):
        c, p = child[lvl], parent[lvl]
        return rhs.at[c].set((rhs[c] - b_lvl[lvl] * rhs[p]) / d[c])

    roots = jnp.asarray(levels.roots)
    unroll = _unroll(depth)
    if unroll == depth:  # static levels: plain slices, no loop at all
        carry = (d, rhs)
        for k in range(depth):
            carry = triang(k, carry)
        d, rhs = carry
        rhs = rhs.at[roots].set(rhs[roots] / d[roots], unique_indices=True)
        for lvl in range(depth):
            rhs = bksub(lvl, rhs)
        return rhs[:-1]
    d, rhs = jax.lax.fori_loop(0, depth, triang, (d, rhs), unroll=unroll)
    rhs = rhs.at[roots].set(rhs[roots] / d[roots], unique_indices=True)
    rhs = jax.lax.fori_loop(0, depth, bksub, rhs, unroll=unroll)
    return rhs[:-1]


def hines_solve_reference(d: np.ndarray, rhs: np.ndarray, a: np.ndarray, b: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """NEURON's sequential triang/bksub in numpy (for tests): the order NEURON uses, node by node."""
    d = np.array(d, dtype=float)
    rhs = np.array(rhs, dtype=float)
    n = len(d)
    for i in range(n - 1, -1, -1):
        p = parent[i]
        if p < 0:
            continue
        f = a[i] / d[i]
        d[p] -= f * b[i]
        rhs[p] -= f * rhs[i]
    for i in range(n):
        p = parent[i]
        rhs[i] = rhs[i] / d[i] if p < 0 else (rhs[i] - b[i] * rhs[p]) / d[i]
    return rhs
