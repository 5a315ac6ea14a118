"""bridge.solver.tree_solve: the level-parallel Hines solve equals NEURON's sequential triang/bksub."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bridge.solver  # noqa: F401  (float64)
from bridge.solver.tree_solve import hines_solve, hines_solve_reference, tree_levels


def random_tree(n: int, ncell: int, rng) -> np.ndarray:
    parent = np.full(n, -1)
    for i in range(ncell, n):
        parent[i] = rng.integers(max(0, i - 8), i)  # mostly chains with some branching
    return parent


def system(parent, rng):
    n = len(parent)
    a = np.where(parent >= 0, -rng.uniform(0.1, 2.0, n), 0.0)
    b = np.where(parent >= 0, -rng.uniform(0.1, 2.0, n), 0.0)
    d = rng.uniform(5.0, 10.0, n)  # diagonally dominant, as the cable matrix
    rhs = rng.normal(size=n)
    return d, rhs, a, b


@pytest.mark.parametrize("n,ncell", [(2, 1), (7, 1), (200, 1), (300, 3)])
def test_matches_sequential_elimination(n, ncell):
    rng = np.random.default_rng(n)
    parent = random_tree(n, ncell, rng)
    d, rhs, a, b = system(parent, rng)
    ours = np.asarray(jax.jit(lambda *x: hines_solve(*x, tree_levels(parent)))(d, rhs, a, b))
    ref = hines_solve_reference(d, rhs, a, b, parent)
    # Same order of operations as NEURON; XLA's CPU backend contracts `x - f*y` into one FMA
    # (one rounding instead of two), so results may differ in the last bit unless FMA is off
    # (XLA_FLAGS=--xla_cpu_max_isa=AVX, see test_step.py::test_passive_bit_for_bit_without_fma).
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-300)


def test_solves_the_tree_matrix():
    rng = np.random.default_rng(5)
    parent = random_tree(60, 2, rng)
    d, rhs, a, b = system(parent, rng)
    m = np.diag(d)
    for i, p in enumerate(parent):
        if p >= 0:
            m[i, p] = b[i]
            m[p, i] = a[i]
    x = np.asarray(hines_solve(jnp.asarray(d), jnp.asarray(rhs), jnp.asarray(a), jnp.asarray(b), tree_levels(parent)))
    np.testing.assert_allclose(m @ x, rhs, rtol=1e-12, atol=1e-12)


def test_levels_reject_bad_order():
    with pytest.raises(ValueError, match="parent index"):
        tree_levels(np.array([-1, 2, 0]))


def test_batched_and_differentiable():
    rng = np.random.default_rng(7)
    parent = random_tree(40, 1, rng)
    lv = tree_levels(parent)
    d, rhs, a, b = system(parent, rng)
    ds = d[None] + rng.uniform(0, 1, (4, len(d)))
    single = jax.jit(lambda dd: hines_solve(dd, rhs, a, b, lv))
    batched = np.asarray(jax.jit(jax.vmap(single))(ds))
    for k in range(4):
        np.testing.assert_array_equal(batched[k], np.asarray(single(ds[k])))
    f = jax.jit(lambda dd: jnp.sum(hines_solve(dd, rhs, a, b, lv) ** 2))
    g = np.asarray(jax.jit(jax.grad(f))(jnp.asarray(d)))
    e = np.zeros_like(d)
    e[3] = 1e-6
    fd = (f(d + e) - f(d - e)) / 2e-6
    assert abs(g[3] - fd) <= 1e-6 * abs(fd)


def test_reverse_mode_is_the_transposed_solve():
    """The custom VJP (one solve with a, b swapped) agrees with differentiating the dense solve."""
    rng = np.random.default_rng(11)
    parent = random_tree(30, 2, rng)
    lv = tree_levels(parent)
    d, rhs, a, b = system(parent, rng)
    w = rng.normal(size=len(d))

    def dense(d, rhs, a, b):
        m = jnp.diag(d)
        i = np.flatnonzero(parent >= 0)
        m = m.at[i, parent[i]].set(b[i]).at[parent[i], i].set(a[i])
        return jnp.linalg.solve(m, rhs)

    ours = jax.grad(lambda *x: jnp.dot(w, hines_solve(*x, lv)), argnums=(0, 1, 2, 3))(d, rhs, a, b)
    ref = jax.grad(lambda *x: jnp.dot(w, dense(*x)), argnums=(0, 1, 2, 3))(d, rhs, a, b)
    for g, r in zip(ours, ref):
        np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=1e-10, atol=1e-13)


def test_compiled_program_does_not_grow_with_size():
    """The traced program is the same size for 100 or 5,000 nodes (levels are data, not code), so its compile
    time does not grow with the cell: counted in optimized HLO instructions, not timed (speed is measured in
    benchmarks/)."""
    rng = np.random.default_rng(9)
    sizes = []
    for n in (100, 5000):
        parent = random_tree(n, 1, rng)
        d, rhs, a, b = system(parent, rng)
        lv = tree_levels(parent)
        text = jax.jit(lambda *x, lv=lv: hines_solve(*x, lv)).lower(d, rhs, a, b).compile().as_text()
        sizes.append(sum(1 for line in text.splitlines() if " = " in line))  # HLO instructions
    assert sizes[0] == sizes[1] > 0


@pytest.mark.parametrize("n", [40, 400])  # 400-node chain: deeper than MAX_UNROLLED_DEPTH, loop unrolled by 16
def test_gpu_code_paths_on_cpu(monkeypatch, n):
    """The unrolled walks used on GPUs give the same solution (forced here with BRIDGE_TREE_SOLVE)."""
    monkeypatch.setenv("BRIDGE_TREE_SOLVE", "unrolled")
    rng = np.random.default_rng(n)
    parent = np.arange(-1, n - 1)  # an unbranched cable: depth n - 1
    parent[n // 2] = n // 4  # one branch point
    d, rhs, a, b = system(parent, rng)
    ours = np.asarray(jax.jit(lambda *x: hines_solve(*x, tree_levels(parent)))(d, rhs, a, b))
    np.testing.assert_allclose(ours, hines_solve_reference(d, rhs, a, b, parent), rtol=1e-13, atol=1e-300)
