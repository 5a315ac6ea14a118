"""WATCH (netcvode.cpp `WatchCondition`): checked after the sources (`check_watches`), activated and
cleared by the NET_RECEIVE runs that reach a WATCH statement (`activate_watches`)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from bridge.solver.event_context import Context, receiver_inputs
from bridge.solver.event_play import played
from bridge.solver.tqindex import BIG, refresh_all
from bridge.solver.tqmove import tree_min as _tree_min
from bridge.solver.tqueue import insert


def check_watches(ctx: Context, buf: dict, state: dict, t) -> dict:
    """The WATCH part of NetCvode::check_thresh at t, after the sources: each active WatchCondition in
    activation order (its HTList), `ConditionEvent::check` with teps 0: value > 0 while not above queues
    its flag at t (a WatchCondition event, no weights) and sets above; value <= 0 clears above. A queued play's
    variable has the value its last delivered event set (bridge.solver.event_play)."""
    eplan = ctx.eplan
    if not len(eplan.w_recv):
        return buf
    if ctx.plays:
        ctx = dataclasses.replace(ctx, params=played(ctx.params, ctx.plays, buf))
    vals = []
    for rec in eplan.receivers:
        if getattr(rec.mechanism, "watch_flags", ()) and rec.size:
            params, v, ions, env = receiver_inputs(ctx, rec, state, t)
            vals.append(jnp.reshape(rec.mechanism.watch_values(params, state["mech"][rec.name], v, ions, env), (-1,)))
    pos = jnp.concatenate(vals) > 0
    active = buf["w_active"]
    crossing = active & pos & ~buf["w_above"]
    buf = {**buf, "w_above": jnp.where(active, pos, buf["w_above"])}
    order = jnp.argsort(jnp.where(active, buf["w_seq"], BIG), stable=True)
    recv, inst, flag = jnp.asarray(eplan.w_recv), jnp.asarray(eplan.w_inst), jnp.asarray(eplan.w_flag)

    def send(b):
        def one(b, j):
            return insert(b, t, -2, recv[j], inst[j], flag[j], crossing[j]), None

        return jax.lax.scan(one, b, order)[0]

    return jax.lax.cond(jnp.any(crossing), send, lambda b: b, buf)


def activate_watches(ctx: Context, buf: dict, r: int, i, records: dict, hit) -> dict:
    """After NET_RECEIVE ran on instance i of receiver r: if it ran a WATCH statement, NEURON's
    `_nrn_watch_activate` (netcvode.cpp) first clears the instance's watch list (and takes its queued
    WatchCondition events off the queue: `remove_event`), then activates each WATCH run, in order."""
    watches = records.get("watch", ())
    if not watches:
        return buf
    nw = len(watches)
    on = [hit & (w[0][0] != 0) for w in watches]
    any_on = on[0]
    for x in on[1:]:
        any_on = any_on | x
    slots = ctx.eplan.w_base[r] + i * nw + jnp.arange(nw)
    active = buf["w_active"].at[slots].set(jnp.where(any_on, False, buf["w_active"][slots]))
    kill = any_on & buf["valid"] & (buf["nc"] == -2) & (buf["recv"] == r) & (buf["inst"] == i)
    valid = buf["valid"] & ~kill
    least = buf["least"]
    least = jnp.where((least >= 0) & kill[jnp.maximum(least, 0)], _tree_min(buf, valid), least).astype(jnp.int32)
    above, seq, counter = buf["w_above"], buf["w_seq"], buf["w_counter"]
    for k, (act, (_, ab)) in enumerate(zip(on, watches)):
        slot = slots[k]
        active = active.at[slot].set(active[slot] | act)
        above = above.at[slot].set(jnp.where(act, ab[0] != 0, above[slot]))
        seq = seq.at[slot].set(jnp.where(act, counter, seq[slot]))
        counter = counter + act.astype(jnp.int32)
    return refresh_all({**buf, "valid": valid, "least": least, "w_active": active, "w_above": above, "w_seq": seq,
                        "w_counter": counter})
