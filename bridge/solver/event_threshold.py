"""Threshold sources (NEURON's PreSyn): `check_thresholds` at a step's start (`NetCvode::check_thresh`,
`ConditionEvent::check`) and `fire` (`PreSyn::send`: record the spike, queue the fan-out)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from bridge.solver.event_plan import THRESHOLD_EPS, EventPlan
from bridge.solver.tqueue import insert_many
from bridge.solver.tqueue import overflow as _overflow


def fire(eplan: EventPlan, buf: dict, src, tt, enabled) -> dict:
    """PreSyn::send from source `src` at tt: record the spike, queue one event per live NetCon."""
    if eplan.fanout.shape[0] == 0:
        return buf
    if buf["nspikes"].shape[0]:  # a spike record (NetCon.record, spike_record) to write into
        row = jnp.asarray(eplan.recorded)[jnp.maximum(src, 0)]
        rec = enabled & (row >= 0)
        r = jnp.maximum(row, 0)
        n = buf["nspikes"][r]
        cap = eplan.settings.spikes
        buf = _overflow(buf, rec & (n >= cap), tt)
        spikes = buf["spikes"].at[r, jnp.minimum(n, cap - 1)].set(
            jnp.where(rec & (n < cap), tt, buf["spikes"][r, jnp.minimum(n, cap - 1)]))
        buf = {**buf, "spikes": spikes, "nspikes": buf["nspikes"].at[r].add(jnp.where(rec & (n < cap), 1, 0))}
    if not len(eplan.nc_live):  # no NetCon at all (a net_event nobody listens to): nothing to queue
        return buf
    fan = jnp.asarray(eplan.fanout)[jnp.maximum(src, 0)]
    cc = jnp.maximum(fan, 0)
    on = enabled & (fan >= 0) & jnp.asarray(eplan.nc_live)[cc]
    return insert_many(buf, tt + jnp.asarray(eplan.nc_delay)[cc], cc, jnp.asarray(eplan.nc_recv)[cc],
                       jnp.asarray(eplan.nc_inst)[cc], jnp.zeros(fan.shape, jnp.float64), on)


def check_thresholds(eplan: EventPlan, buf: dict, v, t, mech: dict | None = None) -> dict:
    """NetCvode::check_thresh at t: each threshold source in creation order (v at a node, or a point
    process's variable from `mech`, the mechanisms' kept state)."""
    if len(eplan.thr_node) == 0:
        return buf
    return fire_crossings(eplan, buf, threshold_values(eplan, v, mech), t)


def threshold_values(eplan: EventPlan, v, mech: dict | None = None):
    """(nthr,) the value each threshold source reads [mV, or the variable's unit]: v at its node, or a point
    process's variable from `mech` (NetCvode::check_thresh reads `*thvar_`)."""
    values = v[jnp.asarray(eplan.thr_node)]
    for k, var in enumerate(eplan.thr_var):
        if var is not None:
            name, x, inst = var
            values = values.at[k].set(jnp.asarray(mech[name][x], v.dtype)[inst])  # type: ignore[index]
    return values


def fire_crossings(eplan: EventPlan, buf: dict, values, t) -> dict:
    """ConditionEvent::check of every threshold source at t given their `values` (`threshold_values`, or gathered
    from the devices: bridge.network_shard), firing the crossings in creation order."""
    above = (values - jnp.asarray(eplan.thr_value, values.dtype)) > 0
    crossing = above & ~buf["armed"]
    buf = {**buf, "armed": above}
    tt = t + THRESHOLD_EPS
    source = jnp.asarray(eplan.thr_source)

    def one(k, b):  # a cond per source (skipped unless it fires); a fori_loop, so jax.grad runs through it
        return jax.lax.cond(crossing[k], lambda b: fire(eplan, b, source[k], tt, jnp.asarray(True)), lambda b: b, b)

    n = len(eplan.thr_node)
    if eplan.settings.differentiable:
        return jax.lax.cond(jnp.any(crossing), lambda b: jax.lax.fori_loop(0, n, one, b), lambda b: b, buf)
    idx = jnp.arange(n, dtype=jnp.int32)

    def after(k):  # the first crossing source after k, n when none: the loop runs once per firing source
        return jnp.min(jnp.where(crossing & (idx > k), idx, n))

    def body(c):
        return after(c[0]), fire(eplan, c[1], source[c[0]], tt, jnp.asarray(True))

    return jax.lax.while_loop(lambda c: c[0] < n, body, (after(jnp.asarray(-1, jnp.int32)), buf))[1]
