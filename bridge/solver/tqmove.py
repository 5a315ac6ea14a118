"""NEURON's TQueue order in the event buffer: the splay tree's first item, and `net_move`'s move of a queued item.

The buffer (bridge.solver.events) keeps NEURON's earliest item apart in `least` (TQueue's `least_`); the
other valid slots are the splay tree, ordered by time and then by sequence number (`seq`: first in, first
out among equal times, `SPTree::enqueue`). `move` is `TQueue::move` (src/nrncvode/tqueue.cpp), which
`net_move(tt)` reaches through netcvode.cpp `nrn_net_move` -> `NetCvode::move_event` (without
`cvode.queue_mode(.., 1)` artificial cells use the same queue: `artcell_net_move` calls `nrn_net_move`).
"""

from __future__ import annotations

import jax.numpy as jnp

from bridge.solver.tqindex import BIG, first, refresh


def tree_min(buf: dict, valid):
    """The first item among `valid` slots: earliest time, then lowest sequence number (-1: none), by a scan of
    every slot (the queue itself asks its block index: bridge.solver.tqindex `first`)."""
    tmin = jnp.min(jnp.where(valid, buf["t"], jnp.inf))
    cand = valid & (buf["t"] == tmin)
    idx = jnp.argmin(jnp.where(cand, buf["seq"], BIG)).astype(jnp.int32)
    return jnp.where(jnp.any(valid), idx, -1).astype(jnp.int32)


def move(buf: dict, slot, tnew, enabled) -> dict:
    """TQueue::move of the queued item in `slot` to time tnew [ms] (a no-op where `enabled` is False):
    - the item is `least_` (`move_least_nolock`): its time changes; if tnew is later than the tree's first
      item, that item becomes least and the moved one re-enters the tree (behind its equals);
    - tnew is earlier than least: the item leaves the tree and becomes least, the old least re-enters it;
    - otherwise the item leaves the tree and re-enters it at tnew (behind its equals)."""
    slot = jnp.maximum(jnp.asarray(slot, jnp.int32), 0)
    least = buf["least"]
    lslot = jnp.maximum(least, 0)
    first_ = first(buf)  # the tree excludes least
    t_first = jnp.where(first_ >= 0, buf["t"][jnp.maximum(first_, 0)], jnp.inf)
    is_least = slot == least
    swap = enabled & is_least & (first_ >= 0) & (tnew > t_first)
    earlier = enabled & ~is_least & (tnew < buf["t"][lslot])
    later = enabled & ~is_least & ~earlier
    requeued = jnp.where(earlier, lslot, slot)
    bump = swap | earlier | later
    counter = buf["counter"]
    seq = buf["seq"].at[requeued].set(jnp.where(bump, counter, buf["seq"][requeued]))
    new_least = jnp.where(swap, first_, jnp.where(earlier, slot, least)).astype(jnp.int32)
    t = buf["t"].at[slot].set(jnp.where(enabled, jnp.asarray(tnew, buf["t"].dtype), buf["t"][slot]))
    buf = {**buf, "t": t, "seq": seq, "least": new_least, "counter": counter + bump.astype(jnp.int32)}
    return refresh(buf, jnp.stack([slot, least, first_]))  # every slot whose time or tree membership changed
