"""Hines elimination on NEURON's node tree, level by level, in JAX.

NEURON solves M x = rhs with M[i,i]=d_i, M[i,p]=b_i, M[p,i]=a_i (p the
parent of i, p < i) by `triang` (eliminate from the last node up to the
roots) and `bksub` (substitute back from the roots down) in src/nrnoc/solve.cpp
(docs/numerics.md, section 3). Every node of one tree depth depends only on nodes of deeper levels
(triang) or of the level above (bksub), so a whole level is one gather and one
scatter. The levels are padded to one width and walked with `lax.fori_loop`,
so the traced program has the same size for 10 or 10,000 nodes and compiles
in constant time; a batch comes from `jax.vmap` on top. On a GPU a loop
iteration costs a device-to-host round trip, so there the levels are unrolled
(compile time then grows with the tree's depth).
On a CPU in float64 the solve is instead NEURON's sequential node loop as one compiled kernel
(`bridge.solver.native_solve`, docs/performance.md); the level walk is the fallback there.

Within a level the children of one parent are applied in NEURON's order
(decreasing node index), so on a CPU the result equals NEURON's bit for bit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache, partial

import jax
import jax.numpy as jnp
import numpy as np
from jax.ad_checkpoint import checkpoint_name
from jax.custom_batching import custom_vmap

from bridge.morphology.arrays import compute_levels


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
    depth = compute_levels(parent)
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


SOLUTION = "hines_solution"  # the solve's result in reverse mode: a name for `jax.checkpoint` policies


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
    x = checkpoint_name(_solve(d, rhs, a, b, levels), SOLUTION)
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


def _use_native(*arrays) -> bool:
    """NEURON's sequential solve as one compiled kernel (`bridge.solver.native_solve`): on a CPU, for
    float64, unless `BRIDGE_TREE_SOLVE` names the level walk (loop|unrolled), and when it could be built."""
    if os.environ.get("BRIDGE_TREE_SOLVE", "") in ("loop", "unrolled") or jax.default_backend() != "cpu":
        return False
    if any(jnp.result_type(x) != jnp.float64 for x in arrays):
        return False
    from bridge.solver import native_solve

    return native_solve.available()


def _solve(d, rhs, a, b, levels: TreeLevels):
    """The solve for one system: the native kernel on CPUs (bitwise NEURON's node order), else the level
    walk, where under `jax.vmap` the batch becomes the last (contiguous) axis."""
    if _use_native(d, rhs, a, b):
        from bridge.solver import native_solve

        return native_solve.solve(d, rhs, a, b, levels.parent)
    return _batched_solver(levels)(d, rhs, a, b)


@lru_cache(maxsize=64)
def _batched_solver(levels: TreeLevels):
    """`_solve_columns` for (n,) arrays with a vmap rule that keeps the batch as columns.

    A plain `vmap` of the level walk makes every gather/scatter carry a batch
    dimension in front (one scattered scalar per node and member: a slow
    element-wise loop on CPUs). The rule instead moves the batch to the last axis,
    so each node's row of `k` members is one contiguous window. Same arithmetic,
    same order: the results are bitwise those of the per-member solve.
    """

    @custom_vmap
    def solve(d, rhs, a, b):
        return _solve_columns(d[:, None], rhs[:, None], a[:, None], b[:, None], levels)[:, 0]

    @solve.def_vmap
    def rule(axis_size, in_batched, d, rhs, a, b):
        cols = [x.T if batched else jnp.broadcast_to(x[:, None], (x.shape[0], 1 if i >= 2 else axis_size))
                for i, (x, batched) in enumerate(zip((d, rhs, a, b), in_batched))]
        if cols[0].shape[1] != axis_size:  # a batched a/b with unbatched d/rhs: give d, rhs the batch too
            cols[0] = jnp.broadcast_to(cols[0], (cols[0].shape[0], axis_size))
        if cols[1].shape[1] != axis_size:
            cols[1] = jnp.broadcast_to(cols[1], (cols[1].shape[0], axis_size))
        return _solve_columns(*cols, levels).T, True

    return solve


def _solve_columns(d, rhs, a, b, levels: TreeLevels):
    """Solve k systems at once: d, rhs (n, k); a, b (n, k) or (n, 1). Returns (n, k).

    d and rhs travel together as one (n+1, 2, k) array, so each level of `triang`
    is one gather and one scatter-add (children of one parent applied in the
    level's order, NEURON's decreasing node index).
    """
    k = d.shape[1]
    pad = lambda x, value: jnp.concatenate([x, jnp.full((1, x.shape[1]), value, x.dtype)])  # noqa: E731
    dr = jnp.stack([pad(d, 1.0), pad(jnp.broadcast_to(rhs, d.shape), 0.0)], axis=1)  # (n+1, 2, k)
    child = jnp.asarray(levels.child)
    parent = jnp.asarray(levels.child_parent)
    a_lvl = pad(a, 0.0)[child]  # (depth, width, 1 or k): the coefficients per level, gathered once
    b_lvl = pad(b, 0.0)[child]
    depth = levels.depth

    def triang(k_, dr):
        lvl = depth - 1 - k_  # deepest level first
        c, p, bc = child[lvl], parent[lvl], b_lvl[lvl]
        dc = dr[c]  # (width, 2, k)
        f = a_lvl[lvl] / dc[:, 0]
        upd = -(f[:, None] * jnp.stack([jnp.broadcast_to(bc, f.shape), dc[:, 1]], axis=1))
        return dr.at[p].add(upd)

    def bksub(lvl, carry):
        d, rhs = carry
        c, p = child[lvl], parent[lvl]
        return d, rhs.at[c].set((rhs[c] - b_lvl[lvl] * rhs[p]) / d[c])

    roots = jnp.asarray(levels.roots)
    unroll = _unroll(depth)
    if unroll == depth:  # static levels: plain slices, no loop at all
        for i in range(depth):
            dr = triang(i, dr)
    else:
        dr = jax.lax.fori_loop(0, depth, triang, dr, unroll=unroll)
    d, rhs = dr[:, 0], dr[:, 1]
    rhs = rhs.at[roots].set(rhs[roots] / d[roots], unique_indices=True)
    if unroll == depth:
        carry = (d, rhs)
        for lvl in range(depth):
            carry = bksub(lvl, carry)
        rhs = carry[1]
    else:
        rhs = jax.lax.fori_loop(0, depth, bksub, (d, rhs), unroll=unroll)[1]
    del k
    return rhs[:-1]


def hines_solve_reference(d: np.ndarray, rhs: np.ndarray, a: np.ndarray, b: np.ndarray,
                          parent: np.ndarray) -> np.ndarray:
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
