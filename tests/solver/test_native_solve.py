"""bridge.solver.native_solve: NEURON's sequential Hines solve as a compiled CPU kernel, bit for bit."""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bridge.solver  # noqa: F401  (float64)
from bridge.solver import native_solve
from bridge.solver.tree_solve import hines_solve, hines_solve_reference, tree_levels
from tests.solver.test_tree_solve import random_tree, system

pytestmark = pytest.mark.skipif(not native_solve.available(), reason="no C++ compiler: the level walk is used")


@pytest.mark.parametrize("n,ncell", [(1, 1), (2, 1), (7, 1), (300, 3), (2000, 1)])
def test_bitwise_neuron_order(n, ncell):
    """Node by node, NEURON's triang/bksub operations in NEURON's order, no FMA: the same bits."""
    rng = np.random.default_rng(n)
    parent = random_tree(n, ncell, rng)
    d, rhs, a, b = system(parent, rng)
    ours = np.asarray(jax.jit(lambda *x: hines_solve(*x, tree_levels(parent)))(d, rhs, a, b))
    np.testing.assert_array_equal(ours, hines_solve_reference(d, rhs, a, b, parent))


def test_the_kernel_is_what_runs(monkeypatch):
    """On a CPU in float64 the compiled program calls the kernel; BRIDGE_TREE_SOLVE=loop and float32 do not."""
    parent = random_tree(50, 1, np.random.default_rng(0))
    lv = tree_levels(parent)

    def text(dtype):
        x = jnp.ones(50, dtype)
        return jax.jit(lambda *z: hines_solve(*z, lv)).lower(x, x, x, x).as_text()

    assert native_solve.TARGET in text(jnp.float64)
    assert native_solve.TARGET not in text(jnp.float32)
    monkeypatch.setenv("BRIDGE_TREE_SOLVE", "loop")
    assert native_solve.TARGET not in text(jnp.float64)


def test_batched_members_and_coefficients():
    """Under vmap (nested too, and with batched a/b) each member gets its own solve's exact bits."""
    rng = np.random.default_rng(3)
    parent = random_tree(120, 2, rng)
    lv = tree_levels(parent)
    d, rhs, a, b = system(parent, rng)
    ds = d[None, None] + rng.uniform(0, 1, (2, 3, len(d)))
    bs = b[None] * rng.uniform(0.5, 1.5, (3, 1))
    out = np.asarray(jax.jit(jax.vmap(jax.vmap(lambda dd, bb: hines_solve(dd, rhs, a, bb, lv)), (0, None)))(ds, bs))
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(out[i, j], hines_solve_reference(ds[i, j], rhs, a, bs[j], parent))


def test_gradient_matches_the_level_walk(monkeypatch):
    """Reverse mode (the transposed solve, also the kernel) agrees with the level walk's gradient."""
    rng = np.random.default_rng(8)
    parent = random_tree(80, 1, rng)
    lv = tree_levels(parent)
    d, rhs, a, b = system(parent, rng)
    w = rng.normal(size=len(d))
    f = lambda *x: jnp.dot(w, hines_solve(*x, lv))  # noqa: E731
    native = jax.grad(f, argnums=(0, 1, 2, 3))(d, rhs, a, b)
    monkeypatch.setenv("BRIDGE_TREE_SOLVE", "loop")
    walk = jax.grad(f, argnums=(0, 1, 2, 3))(d, rhs, a, b)
    for g, r in zip(native, walk):
        np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=1e-12, atol=1e-15)


def test_not_loaded_from_a_folder_others_may_write(tmp_path):
    """A shared library is code: it is built and loaded only in a folder the user owns, closed to others."""
    folder = tmp_path / "native"
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o777)
    assert native_solve.build(str(folder), native_solve.SOURCE, "hines") is None
    assert list(folder.iterdir()) == []


def test_kept_in_bridges_cache_folder_only():
    """Kept next to the compiled programs when bridge's cache is on; else nowhere (a temporary folder)."""
    from bridge.solver import compile_cache

    if compile_cache._ENABLED:
        assert native_solve.native_dir() == os.path.join(compile_cache._ENABLED[0], "native")
    else:
        assert native_solve.native_dir() is None


@pytest.mark.parametrize("parent", [[-1, 2, 0], [-1, 0, 7], [-1, 1, 0]])
def test_a_parent_that_does_not_precede_its_node_is_an_error(parent):
    """The kernel writes through parent indices: one out of order or out of range is refused before any write."""
    x = jnp.ones(3)
    with pytest.raises(Exception, match="parent does not precede"):
        np.asarray(jax.jit(lambda *z: native_solve.solve(*z, np.asarray(parent)))(x, x, x, x))
