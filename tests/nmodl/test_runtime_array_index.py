"""`bridge.nmodl.runtime.arrays`: an array element written at an index known only during the run (traced)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from bridge.nmodl.runtime import arrays


def _write(a, k, value):
    return jax.jit(arrays.set_index)(a, k, value)


def test_a_traced_index_writes_each_instance_its_element():
    a = jnp.zeros((2, 4))
    got = np.asarray(_write(a, jnp.array([1.7, 3.0]), jnp.array([5.0, 6.0])))  # C's (int) truncates 1.7 to 1
    assert got.tolist() == [[0, 5, 0, 0], [0, 0, 0, 6]]


def test_a_traced_index_outside_the_array_writes_nan_at_its_end():
    got = np.asarray(_write(jnp.zeros((3, 3)), jnp.array([3.0, 0.0, -1.0]), jnp.array([1.0, 2.0, 4.0])))
    assert np.isnan(got[0, 2]) and got[0, :2].tolist() == [0, 0] and got[1].tolist() == [2, 0, 0]
    assert np.isnan(got[2, 0]) and got[2, 1:].tolist() == [0, 0]


def test_a_known_index_writes_as_before():
    assert np.asarray(arrays.set_index(jnp.zeros(3), 2, 1.0)).tolist() == [0, 0, 1]


def test_a_known_index_outside_the_array_is_refused():
    """C reads and writes past the array (NEURON's memory layout decides what): refused, not clamped or dropped
    as JAX's indexing would (ModelDB 222321's accum.mod writes and reads `dif[3]` of `dif[3]`)."""
    import pytest

    from bridge.errors import UnsupportedFeature

    for k in (3, -1):
        with pytest.raises(UnsupportedFeature, match=f"array index {k} outside its 3 elements"):
            arrays.set_index(jnp.zeros((2, 3)), float(k), jnp.ones(2))
        with pytest.raises(UnsupportedFeature, match=f"array index {k} outside its 3 elements"):
            arrays.index(jnp.zeros((2, 3)), float(k))
