"""`insert_many` (a firing source's NetCons queued at once) leaves the buffer exactly as the same `insert`s
one after another, whose order is NEURON's (tests/solver/test_events_neuron.py)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.solver.tqindex import empty_index
from bridge.solver.tqueue import insert, insert_many, pop


def _buffer(rng, cap: int, fill: int) -> dict:
    """A buffer reached by `fill` sequential inserts and a few pops (times on a coarse grid: many ties)."""
    buf = {"t": jnp.full((cap,), jnp.inf), "nc": jnp.full((cap,), -1, jnp.int32), "recv": jnp.zeros(cap, jnp.int32),
           "inst": jnp.zeros(cap, jnp.int32), "flag": jnp.zeros(cap), "seq": jnp.zeros(cap, jnp.int32),
           "valid": jnp.zeros(cap, bool), "least": jnp.asarray(-1, jnp.int32), "counter": jnp.asarray(0, jnp.int32),
           "overflow": jnp.asarray(jnp.inf), **empty_index(cap)}
    for k in range(fill):
        buf = insert(buf, float(rng.integers(0, 6)) * 0.5, k, 0, k, 0.0, True)
        if rng.random() < 0.3:
            buf = pop(buf, 1.0)[0]
    return buf


def _drain(buf: dict) -> list:
    """The queue's order: (t, nc) as pops deliver them."""
    out = []
    for _ in range(buf["t"].shape[0]):
        buf, has, slot = pop(buf, jnp.inf)
        if not bool(has):
            break
        out.append((float(buf["t"][slot]), int(buf["nc"][slot])))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_insert_many_is_sequential_inserts(seed):
    rng = np.random.default_rng(seed)
    cap = int(rng.integers(4, 16))
    buf = _buffer(rng, cap, int(rng.integers(0, cap)))
    n = int(rng.integers(1, 12))
    t = np.asarray(rng.integers(0, 6, n) * 0.5, float)
    nc = np.arange(100, 100 + n, dtype=np.int32)
    on = rng.random(n) < 0.8
    one = buf
    for j in range(n):
        one = insert(one, t[j], nc[j], 1, j, 0.0, bool(on[j]))
    many = jax.jit(insert_many)(buf, jnp.asarray(t), jnp.asarray(nc), jnp.ones(n, jnp.int32),
                                jnp.arange(n, dtype=jnp.int32), jnp.zeros(n), jnp.asarray(on))
    for k in ("valid", "least", "counter", "overflow"):
        np.testing.assert_array_equal(np.asarray(many[k]), np.asarray(one[k]), err_msg=k)
    live = np.asarray(one["valid"])
    for k in ("t", "nc", "recv", "inst", "seq"):
        np.testing.assert_array_equal(np.asarray(many[k])[live], np.asarray(one[k])[live], err_msg=k)
    assert _drain(many) == _drain(one)
