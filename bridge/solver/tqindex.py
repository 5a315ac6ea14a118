"""A two-level index over the event buffer, so that finding the queue's next item does not scan every slot.

The buffer's K slots are cut into B blocks of S slots (`block_size`: S the least divisor of K with S*S >= K,
128 x 128 for K = 16384). Per block the buffer keeps the splay tree's first item among the block's slots
(`blk_t` [ms], `blk_seq`, `blk_slot`; the tree is every valid slot except `least`, docs/events.md) and its
count of valid slots (`blk_n`, `least` included). The tree's first item is then the first of the B block
minima, and the first free slot lies in the first block with fewer than S valid slots: O(B + S) per query
instead of O(K). Whoever changes a slot's `t`, `seq`, `valid` or the `least` refreshes the blocks holding the
slots it changed (`refresh`, O(S) each) or every block (`refresh_all`, O(K): a firing source's fan-out).

Order is the one of a scan over all slots (bridge.solver.tqmove `tree_min`): earliest time, then lowest
sequence number, then lowest slot; the block minima are compared the same way, and blocks are in slot order.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

BIG = np.iinfo(np.int32).max


def block_size(capacity: int) -> int:
    """S: the least divisor of `capacity` whose square is at least `capacity` (a prime capacity: one block)."""
    return next(s for s in range(1, capacity + 1) if capacity % s == 0 and s * s >= capacity)


def empty_index(capacity: int) -> dict:
    """The index of an empty buffer."""
    nb = capacity // block_size(capacity)
    return {"blk_t": jnp.full((nb,), jnp.inf, jnp.float64), "blk_seq": jnp.full((nb,), BIG, jnp.int32),
            "blk_slot": jnp.full((nb,), -1, jnp.int32), "blk_n": jnp.zeros((nb,), jnp.int32)}


def _block_minima(t, seq, valid, idx, least):
    """Per row of (m, S) arrays: the first tree item's (t, seq, slot) (slot -1: none) and the valid count."""
    tree = valid & (idx != least)
    tt = jnp.where(tree, t, jnp.inf)
    tmin = jnp.min(tt, axis=1)
    cand = tree & (tt == tmin[:, None])
    ss = jnp.where(cand, seq, BIG)
    k = jnp.argmin(ss, axis=1)
    rows = jnp.arange(t.shape[0])
    has = jnp.any(tree, axis=1)
    slot = jnp.where(has, idx[rows, k], -1).astype(jnp.int32)
    return tmin, jnp.where(has, ss[rows, k], BIG).astype(jnp.int32), slot, jnp.sum(valid, axis=1, dtype=jnp.int32)


def refresh_all(buf: dict) -> dict:
    """Recompute every block's entry (O(K))."""
    cap = buf["valid"].shape[0]
    s = block_size(cap)
    nb = cap // s
    idx = jnp.arange(cap, dtype=jnp.int32).reshape(nb, s)
    bt, bs, bi, bn = _block_minima(buf["t"].reshape(nb, s), buf["seq"].reshape(nb, s), buf["valid"].reshape(nb, s),
                                   idx, buf["least"])
    return {**buf, "blk_t": bt, "blk_seq": bs, "blk_slot": bi, "blk_n": bn}


def refresh(buf: dict, slots) -> dict:
    """Recompute the entries of the blocks holding `slots` (a 1-D int array; negative entries ignored)."""
    cap = buf["valid"].shape[0]
    s = block_size(cap)
    nb = cap // s
    slots = jnp.asarray(slots, jnp.int32)
    blocks = jnp.where(slots >= 0, slots // s, 0)
    idx = blocks[:, None] * s + jnp.arange(s, dtype=jnp.int32)[None, :]
    bt, bs, bi, bn = _block_minima(buf["t"][idx], buf["seq"][idx], buf["valid"][idx], idx, buf["least"])
    at = jnp.where(slots >= 0, blocks, nb)  # out of range: dropped

    def put(a, x):
        return a.at[at].set(x, mode="drop")

    return {**buf, "blk_t": put(buf["blk_t"], bt), "blk_seq": put(buf["blk_seq"], bs),
            "blk_slot": put(buf["blk_slot"], bi), "blk_n": put(buf["blk_n"], bn)}


def first(buf: dict):
    """The splay tree's first item (valid, not `least`): earliest time, then lowest seq, then lowest slot (-1: none)."""
    bt = buf["blk_t"]
    tmin = jnp.min(bt)
    b = jnp.argmin(jnp.where(bt == tmin, buf["blk_seq"], BIG))
    return buf["blk_slot"][b]


def free_slot(buf: dict):
    """The lowest free slot (0 when none is free: the caller reads `valid[slot]` to see the buffer is full)."""
    cap = buf["valid"].shape[0]
    s = block_size(cap)
    b = jnp.argmax(buf["blk_n"] < s).astype(jnp.int32)
    row = jnp.asarray(buf["valid"]).reshape(cap // s, s)[b]
    return jnp.where(buf["blk_n"][b] < s, b * s + jnp.argmin(row), 0).astype(jnp.int32)
