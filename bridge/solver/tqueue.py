"""NEURON's TQueue in a fixed-size JAX buffer: insert one event, insert a source's fan-out at once, pop the first.

The buffer (bridge.solver.events `empty_buffer`) keeps NEURON's earliest item apart in `least` (tqueue.cpp
`TQueue::least_`); the other valid slots are the splay tree, ordered by time, then by sequence number
(`seq`: first in, first out among equal times, `SPTree::enqueue`). An insert strictly earlier than least
takes its place, and the old least re-enters the tree behind every item of equal time (`TQueue::insert`):
it gets the next sequence number. `insert_many` replays a run of `insert`s (a firing source's NetCons,
`PreSyn::send`) with prefix sums instead of one argmin over the buffer per event (docs/events.md). The first
item and the first free slot come from a block index (bridge.solver.tqindex), kept up to date here.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from bridge.solver.tqindex import first, free_slot, refresh, refresh_all


def overflow(buf: dict, bad, t) -> dict:
    """Record the time of the first event that did not fit (inf: none)."""
    return {**buf, "overflow": jnp.where(bad, jnp.minimum(buf["overflow"], t), buf["overflow"])}


def insert(buf: dict, t, nc, recv, inst, flag, enabled) -> dict:
    """TQueue::insert of one event (a no-op where `enabled` is False)."""
    valid = buf["valid"]
    slot = free_slot(buf)  # the first free slot
    full = valid[slot]
    ok = enabled & ~full
    buf = overflow(buf, enabled & full, t)
    least = buf["least"]
    earlier = (least < 0) | (t < buf["t"][jnp.maximum(least, 0)])
    counter = buf["counter"]
    seq = buf["seq"]
    demote = ok & earlier & (least >= 0)  # the old least re-enters the tree behind its equals
    seq = seq.at[jnp.maximum(least, 0)].set(jnp.where(demote, counter + 1, seq[jnp.maximum(least, 0)]))
    seq = seq.at[slot].set(jnp.where(ok, counter, seq[slot]))

    def put(a, x):
        return a.at[slot].set(jnp.where(ok, jnp.asarray(x, a.dtype), a[slot]))

    buf = {**buf, "t": put(buf["t"], t), "nc": put(buf["nc"], nc), "recv": put(buf["recv"], recv),
           "inst": put(buf["inst"], inst), "flag": put(buf["flag"], flag), "valid": put(valid, True), "seq": seq,
           "least": jnp.where(ok & earlier, slot, least).astype(jnp.int32),
           "counter": counter + jnp.where(ok, jnp.where(demote, 2, 1), 0).astype(jnp.int32)}
    return refresh(buf, jnp.stack([slot, least]))  # the new item's block, and the old least's


def insert_many(buf: dict, t, nc, recv, inst, flag, enabled) -> dict:
    """`insert` of n events in order (1-D arrays of length n), with the same result as n sequential inserts.

    Event j takes the j-th free slot counted among the enabled ones (none left: overflow at its time). The
    least's time after the events before j is the running minimum of the inserted times, so event j becomes
    least when strictly earlier than it (or when there is no least yet), and then demotes the least before it
    (the last event that became least, or the buffer's least) with sequence number counter_j + 1. The counter
    at event j is the count of inserts and demotions before it."""
    n, cap = t.shape[0], buf["valid"].shape[0]
    t = jnp.asarray(t, buf["t"].dtype)
    en = jnp.asarray(enabled, bool)
    rank = jnp.cumsum(en.astype(jnp.int32)) - en.astype(jnp.int32)  # enabled events before j
    free = jnp.nonzero(~buf["valid"], size=n, fill_value=cap)[0].astype(jnp.int32)
    slot = free[jnp.minimum(rank, n - 1)]
    ok = en & (slot < cap)
    buf = overflow(buf, jnp.any(en & ~ok), jnp.min(jnp.where(en & ~ok, t, jnp.inf)))
    least0 = buf["least"]
    t_least0 = jnp.where(least0 >= 0, buf["t"][jnp.maximum(least0, 0)], jnp.inf)
    t_ok = jnp.where(ok, t, jnp.inf)
    before = jnp.concatenate([t_least0[None], jax.lax.cummin(t_ok)[:-1]])  # least's time before event j
    before = jnp.minimum(before, t_least0)
    any_before = (least0 >= 0) | (jnp.cumsum(ok.astype(jnp.int32)) - ok.astype(jnp.int32) > 0)
    earlier = ok & ((t < before) | ~any_before)
    demote = earlier & any_before
    steps = ok.astype(jnp.int32) + demote.astype(jnp.int32)
    counter = (buf["counter"] + jnp.cumsum(steps) - steps).astype(jnp.int32)  # the counter when event j is inserted
    idx = jnp.arange(n, dtype=jnp.int32)
    last = jax.lax.cummax(jnp.where(earlier, idx, -1))
    prev = jnp.concatenate([jnp.asarray([-1], jnp.int32), last[:-1]])  # the last event before j that became least
    prev_least = jnp.where(prev >= 0, slot[jnp.maximum(prev, 0)], least0)
    at = jnp.where(ok, slot, cap)  # out of range: dropped
    seq = buf["seq"].at[at].set(counter, mode="drop")
    seq = seq.at[jnp.where(demote, prev_least, cap)].set(counter + 1, mode="drop")

    def put(a, x):
        return a.at[at].set(jnp.broadcast_to(jnp.asarray(x, a.dtype), (n,)), mode="drop")

    final = jnp.where(last[-1] >= 0, slot[jnp.maximum(last[-1], 0)], least0).astype(jnp.int32)
    return refresh_all({**buf, "t": put(buf["t"], t), "nc": put(buf["nc"], nc), "recv": put(buf["recv"], recv),
                        "inst": put(buf["inst"], inst), "flag": put(buf["flag"], flag),
                        "valid": put(buf["valid"], True), "seq": seq, "least": final,
                        "counter": (buf["counter"] + jnp.sum(steps)).astype(jnp.int32)})


def pop(buf: dict, til):
    """TQueue::atomic_dq(til): the least item if its time <= til. Returns (buf, has, slot)."""
    least = buf["least"]
    slot = jnp.maximum(least, 0)
    has = (least >= 0) & (buf["t"][slot] <= til)
    valid = buf["valid"].at[slot].set(jnp.where(has, False, buf["valid"][slot]))
    new_least = jnp.where(has, first(buf), least)
    # the popped slot's block (its count) and the new least's (it left the tree)
    return refresh({**buf, "valid": valid, "least": new_least}, jnp.stack([slot, new_least])), has, slot


def due(buf: dict, til):
    """True when the queue's first event has time <= til."""
    least = buf["least"]
    return (least >= 0) & (buf["t"][jnp.maximum(least, 0)] <= til)
