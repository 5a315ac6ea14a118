"""The extracellular block tree solve (bridge.solver.extracellular): the compiled kernel and the level walk
against a dense solve of the same system."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from bridge.solver import extracellular, native_block_solve
from bridge.solver.tree_solve import tree_levels


def _system(n: int, seed: int):
    rng = np.random.default_rng(seed)
    parent = np.array([-1] + [int(rng.integers(0, i)) for i in range(1, n)])
    parent[n // 2] = -1  # two trees
    D = rng.normal(size=(n, 3, 3)) + 10 * np.eye(3)
    R, A, B = (rng.normal(size=(n, 3)) for _ in range(3))
    A[parent < 0] = 0
    B[parent < 0] = 0
    M = np.zeros((3 * n, 3 * n))
    for i in range(n):
        M[3 * i:3 * i + 3, 3 * i:3 * i + 3] = D[i]
        if parent[i] >= 0:
            p = parent[i]
            M[3 * i:3 * i + 3, 3 * p:3 * p + 3] = np.diag(B[i])
            M[3 * p:3 * p + 3, 3 * i:3 * i + 3] = np.diag(A[i])
    return parent, D, R, A, B, np.linalg.solve(M, R.ravel()).reshape(n, 3)


@pytest.mark.parametrize("seed", [0, 1])
def test_level_walk_solves_the_block_system(seed):
    parent, D, R, A, B, want = _system(37, seed)
    got = extracellular.level_solve(jnp.asarray(D), jnp.asarray(R), jnp.asarray(A), jnp.asarray(B),
                                    tree_levels(parent))
    np.testing.assert_allclose(np.asarray(got), want, rtol=0, atol=1e-13)


@pytest.mark.parametrize("seed", [0, 1])
def test_native_kernel_solves_the_block_system(seed):
    if not native_block_solve.available():
        pytest.skip("no C++ compiler: the level walk runs instead")
    parent, D, R, A, B, want = _system(37, seed)
    got = native_block_solve.solve(jnp.asarray(D), jnp.asarray(R), jnp.asarray(A), jnp.asarray(B), parent)
    np.testing.assert_allclose(np.asarray(got), want, rtol=0, atol=1e-13)


def test_reverse_mode_through_the_block_solve_matches_a_dense_solve():
    """`block_solve` (the compiled kernel on a CPU in float64) differentiates in reverse mode: the gradient of
    a loss of the solution with respect to the right-hand side and the blocks equals the dense solve's."""
    import jax

    parent, D, R, A, B, _ = _system(23, 3)
    levels = tree_levels(parent)
    n = len(parent)

    def dense(D, R, A, B):
        M = jnp.zeros((3 * n, 3 * n))
        for i in range(n):
            M = M.at[3 * i:3 * i + 3, 3 * i:3 * i + 3].set(D[i])
            if parent[i] >= 0:
                p = int(parent[i])
                M = M.at[3 * i:3 * i + 3, 3 * p:3 * p + 3].set(jnp.diag(B[i]))
                M = M.at[3 * p:3 * p + 3, 3 * i:3 * i + 3].set(jnp.diag(A[i]))
        return jnp.linalg.solve(M, R.ravel()).reshape(n, 3)

    w = jnp.asarray(np.random.default_rng(4).normal(size=(n, 3)))
    args = tuple(jnp.asarray(x) for x in (D, R, A, B))
    got = jax.grad(lambda *x: jnp.sum(w * extracellular.block_solve(*x, levels)), argnums=(0, 1, 2, 3))(*args)
    want = jax.grad(lambda *x: jnp.sum(w * dense(*x)), argnums=(0, 1, 2, 3))(*args)
    for g, h in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(h), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("batched", ["rhs", "all"])
def test_native_kernel_under_vmap_solves_each_member(batched):
    """Under `jax.vmap` the kernel gets its parent array broadcast like the batch (vmap_method broadcast_all): each
    member is its own tree (it was once read as one tree of batch * n nodes, whose later copies hung from the
    first's nodes)."""
    import jax

    if not native_block_solve.available():
        pytest.skip("no C++ compiler: the level walk runs instead")
    systems = [_system(19, seed) for seed in (5, 6, 7)]
    parent = systems[0][0]
    if batched == "rhs":  # one matrix, three right-hand sides (bridge.solver.linear_mechanism.solve_blocks)
        _, D, _, A, B, _ = systems[0]
        Rs = np.stack([s[2] for s in systems])
        got = jax.vmap(lambda r: native_block_solve.solve(jnp.asarray(D), r, jnp.asarray(A), jnp.asarray(B),
                                                          parent))(jnp.asarray(Rs))
        for k in range(3):
            want = np.asarray(native_block_solve.solve(jnp.asarray(D), jnp.asarray(Rs[k]), jnp.asarray(A),
                                                       jnp.asarray(B), parent))
            np.testing.assert_allclose(np.asarray(got[k]), want, rtol=0, atol=1e-13)
        return
    # three whole systems on one tree shape (a batch of parameter sets)
    members = [_system(19, 5)] + [(parent, *_system(19, seed)[1:5]) for seed in (6, 7)]
    stack = [jnp.asarray(np.stack([m[j] for m in members])) for j in range(1, 5)]
    got = jax.vmap(lambda D, R, A, B: native_block_solve.solve(D, R, A, B, parent))(*stack)
    for k, (_, D, R, A, B, *_rest) in enumerate(members):
        want = extracellular.level_solve(jnp.asarray(D), jnp.asarray(R), jnp.asarray(A), jnp.asarray(B),
                                         tree_levels(parent))
        np.testing.assert_allclose(np.asarray(got[k]), np.asarray(want), rtol=0, atol=1e-12)
