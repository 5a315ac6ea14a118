"""The queue's block index (bridge.solver.tqindex) answers what a scan of every slot answers: after any run of
inserts, fan-out inserts, pops and moves, the next item is the scan's (earliest time, lowest seq, lowest slot)
and the first free slot is the lowest free one; each operation leaves the index as a full rebuild would."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.solver.tqindex import block_size, empty_index, first, free_slot, refresh_all
from bridge.solver.tqmove import move, tree_min
from bridge.solver.tqueue import insert, insert_many, pop


def _empty(cap: int) -> dict:
    return {"t": jnp.full((cap,), jnp.inf), "nc": jnp.full((cap,), -1, jnp.int32), "recv": jnp.zeros(cap, jnp.int32),
            "inst": jnp.zeros(cap, jnp.int32), "flag": jnp.zeros(cap), "seq": jnp.zeros(cap, jnp.int32),
            "valid": jnp.zeros(cap, bool), "least": jnp.asarray(-1, jnp.int32), "counter": jnp.asarray(0, jnp.int32),
            "overflow": jnp.asarray(jnp.inf), **empty_index(cap)}


def _check(buf: dict) -> None:
    cap = buf["valid"].shape[0]
    rebuilt = refresh_all(buf)
    for k in ("blk_t", "blk_seq", "blk_slot", "blk_n"):
        np.testing.assert_array_equal(np.asarray(buf[k]), np.asarray(rebuilt[k]), err_msg=k)
    tree = buf["valid"] & (jnp.arange(cap) != buf["least"])
    assert int(first(buf)) == int(tree_min(buf, tree))
    if not bool(jnp.all(buf["valid"])):
        assert int(free_slot(buf)) == int(jnp.argmin(buf["valid"]))


def test_block_size():
    assert [block_size(k) for k in (1, 4, 7, 64, 256, 1000, 16384)] == [1, 2, 7, 8, 16, 40, 128]


@pytest.mark.parametrize("cap,seed", [(16, 0), (16, 1), (17, 2), (36, 3), (64, 4), (64, 5)])
def test_index_follows_every_operation(cap, seed):
    rng = np.random.default_rng(seed)
    ins, many, pp, mv = jax.jit(insert), jax.jit(insert_many), jax.jit(pop), jax.jit(move)
    buf = _empty(cap)
    for step in range(150):
        op = rng.random()
        if op < 0.4:
            buf = ins(buf, float(rng.integers(0, 8)) * 0.25, step, 0, step, 0.0, True)
        elif op < 0.55:
            n = int(rng.integers(1, 8))
            idx = jnp.arange(n, dtype=jnp.int32)
            buf = many(buf, jnp.asarray(rng.integers(0, 8, n) * 0.25, float), idx, jnp.zeros(n, jnp.int32), idx,
                       jnp.zeros(n), jnp.asarray(rng.random(n) < 0.8))
        elif op < 0.85:
            buf = pp(buf, float(rng.integers(0, 8)) * 0.25)[0]
        else:
            slots = np.flatnonzero(np.asarray(buf["valid"]))
            if len(slots):
                buf = mv(buf, int(rng.choice(slots)), float(rng.integers(0, 8)) * 0.25, True)
        _check(buf)
