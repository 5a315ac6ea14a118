"""bridge.solver.node_add: the fused form of a scatter gives the scatter's bits (the step's currents use it)."""

import jax
import jax.numpy as jnp
import numpy as np

from bridge.solver.node_add import add_at, set_at


def _bits(a):
    return np.asarray(a).view(np.int64)


def test_fused_add_and_set_are_the_scatters_bit_for_bit():
    rng = np.random.default_rng(0)
    n = 40
    target = rng.normal(size=(2, n)) * 10.0 ** rng.integers(-20, 20, size=(2, n))
    target[:, ::7] = -0.0  # a select keeps -0.0 where `+ 0.0` would make it +0.0
    target[0, 3] = np.nan
    nodes = np.sort(rng.choice(n, size=25, replace=False)).astype(np.int32)
    values = rng.normal(size=(2, 25)) * 10.0 ** rng.integers(-20, 20, size=(2, 25))
    values[:, ::5] = -0.0
    t, v = jnp.asarray(target), jnp.asarray(values)
    fused_add = jax.jit(lambda t, v: add_at(t, nodes, v, True))(t, v)
    fused_set = jax.jit(lambda t, v: set_at(t, nodes, v, True))(t, v)
    scatter_add = jax.jit(lambda t, v: t.at[:, nodes].add(v, indices_are_sorted=True, unique_indices=True))(t, v)
    scatter_set = jax.jit(lambda t, v: t.at[:, nodes].set(v))(t, v)
    assert np.array_equal(_bits(fused_add), _bits(scatter_add))
    assert np.array_equal(_bits(fused_set), _bits(scatter_set))
    assert np.signbit(np.asarray(fused_add)[1, 0]) == np.signbit(target[1, 0])


def test_repeated_or_sparse_nodes_keep_the_scatter():
    t = jnp.zeros(100)
    twice = np.array([3, 3, 5], np.int32)  # point processes: several on one node add up
    assert float(add_at(t, twice, jnp.ones(3), False)[3]) == 2.0
    sparse = np.array([1, 2], np.int32)  # 2 of 100 nodes: a scatter touches 2, the fused form 100
    out = jax.jit(lambda t: add_at(t, sparse, jnp.ones(2), True)).lower(t).as_text()
    assert "scatter" in out
