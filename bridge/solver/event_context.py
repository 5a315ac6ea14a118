"""What a NET_RECEIVE run reads (`Context`, one instance's inputs) and what it asks for afterwards
(`queue_records`: net_send, net_move, net_event), as netcvode.cpp `nrn_net_send`, `nrn_net_move`,
`nrn_net_event` do."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import jax
import jax.numpy as jnp

from bridge.mechanisms.protocol import Env
from bridge.solver.event_plan import EventPlan, Receiver
from bridge.solver.event_threshold import fire
from bridge.solver.plan import Plan
from bridge.solver.tqindex import free_slot
from bridge.solver.tqmove import move
from bridge.solver.tqueue import insert


@dataclass(frozen=True, eq=False)
class Context:
    """What delivery needs besides the state: the plans, parameters, prepared TABLEs, dt, the queued plays."""

    plan: Plan
    eplan: EventPlan
    params: dict
    prepared: object
    dt: float
    secondorder: int
    plays: tuple = ()  # the setters of the plays on the queue (bridge.solver.event_play), in their order


def receiver_inputs(ctx: Context, r: Receiver, state: dict, t):
    """(params, v, ions, env) of receiver `r`'s instances at event time t."""
    from bridge.solver.step import _env, _gather_ions  # the step's own helpers (same layer)

    v = state["v"]
    if r.inst is not None:
        env = dataclasses.replace(_env(ctx.plan, r.inst, ctx.params, ctx.prepared, t, ctx.dt, ctx.secondorder), t=t)
        return (ctx.params["mechanisms"][r.name], v[r.inst.nodes],
                _gather_ions(r.inst, state["ions"], v, state["mech"], ctx.params), env)
    env = Env(t=t, dt=ctx.dt, celsius=ctx.params["globals"]["celsius"], secondorder=ctx.secondorder)
    return ctx.params["network"]["cells"][r.name], jnp.zeros((r.size,), v.dtype), {}, env


def _take(a, inst, size: int):
    """Row `inst` of a per-instance array (shape kept: (1, ...)); anything else (a scalar) as it is."""
    if jnp.ndim(a) >= 1 and jnp.shape(a)[0] == size:
        return jax.lax.dynamic_slice_in_dim(jnp.asarray(a), inst, 1)
    return a


def one_instance_inputs(ctx: Context, r: Receiver, state: dict, t, inst):
    """(params, state, v, ions, env) of instance `inst` of receiver `r` alone (arrays of length 1), so
    one delivery costs the same whatever the number of instances (NEURON's NET_RECEIVE runs on one
    instance: netcvode.cpp `NetCon::deliver` calls the receiver's `pnt_receive` with its Point_process)."""
    from bridge.solver.step import _env, _gather_ions  # the step's own helpers (same layer)

    v, n = state["v"], r.size
    mech = {k: _take(a, inst, n) for k, a in state["mech"][r.name].items()}
    if r.inst is not None:
        env = dataclasses.replace(_env(ctx.plan, r.inst, ctx.params, ctx.prepared, t, ctx.dt, ctx.secondorder), t=t)
        env = dataclasses.replace(env, area=_take(env.area, inst, n),
                                  diam=None if env.diam is None else _take(env.diam, inst, n))
        ions = _gather_ions(r.inst, state["ions"], v, state["mech"], ctx.params)
        params = ctx.params["mechanisms"][r.name]
        vv = v[jnp.asarray(r.inst.nodes)[inst]][None]
    else:
        env = Env(t=t, dt=ctx.dt, celsius=ctx.params["globals"]["celsius"], secondorder=ctx.secondorder)
        ions, params = {}, ctx.params["network"]["cells"][r.name]
        vv = jnp.zeros((1,), v.dtype)
    return ({k: _take(a, inst, n) for k, a in params.items()}, mech, vv,
            {k: _take(a, inst, n) for k, a in ions.items()}, env)


def queue_records(ctx: Context, buf: dict, r: int, records: dict, inst, nc, enabled, row=None, t=None) -> dict:
    """Queue what one instance's block asked for (net_send, net_event, net_move), in the file's order of call
    sites. `row`: where the instance's values are in `records` (default `inst`; 0 for a gathered instance);
    `t`: the time the block ran at (net_move's check)."""
    mech = ctx.eplan.receivers[r].mechanism
    table = jnp.asarray(ctx.eplan.cell_source[r])
    at = inst if row is None else row
    q = ctx.eplan.q_base[r] + inst if ctx.eplan.q_base and ctx.eplan.q_base[r] >= 0 else None
    for kind, site in getattr(mech, "event_sites", ()):
        if kind == "send":
            on, td, flag = (a[at] for a in records["send"][site])
            slot = free_slot(buf)  # the slot `insert` takes
            put = enabled & (on != 0) & ~buf["valid"][slot]
            buf = insert(buf, td, nc, r, inst, flag, enabled & (on != 0))
            if q is not None:  # nrn_net_send: `if (flag == 1.0) *v = q` (the item net_move moves)
                buf = {**buf, "tq": buf["tq"].at[q].set(jnp.where(put & (flag == 1.0), slot, buf["tq"][q]))}
        elif kind == "move":
            on, tt = (a[at] for a in records["move"][site])
            asked = enabled & (on != 0)
            item = buf["tq"][q] if q is not None else jnp.asarray(-1, jnp.int32)
            # nrn_net_move: no pending flag-1 self-event, or tt < t, is a hoc_execerror in NEURON
            bad = asked & ((item < 0) | (tt < (t if t is not None else tt)))
            buf = move(buf, item, tt, asked & ~bad)
            buf = {**buf, "move_error": jnp.where(bad, jnp.minimum(buf["move_error"], tt), buf["move_error"])}
        else:
            on, tt = (a[at] for a in records["event"][site])
            src = table[inst] if table.size else jnp.asarray(-1)
            buf = fire(ctx.eplan, buf, src, tt, enabled & (on != 0) & (src >= 0))
    return buf
