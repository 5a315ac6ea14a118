"""Delivery of due events (cvodestb.cpp `deliver_net_events`, `nrn_deliver_events`; `NetCon::deliver`,
`SelfEvent::deliver`) and the events of finitialize (`NetCvode::init_events`)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from bridge.solver import scop_shared
from bridge.solver.event_batch import deliver_while
from bridge.solver.event_buffer import empty_buffer
from bridge.solver.event_context import Context, one_instance_inputs, queue_records, receiver_inputs
from bridge.solver.event_play import KEY, deliver_initial, deliver_play, empty_entries, play_init, played
from bridge.solver.event_watch import activate_watches
from bridge.solver.tqueue import due, pop
from bridge.solver.tqueue import overflow as _overflow


def deliver_one(ctx: Context, state: dict, buf: dict, til):
    """Deliver the queue's first event if its time <= til: its receiver's NET_RECEIVE at the event's time,
    run on the target instance alone and written back there; a play's item sets its value
    (bridge.solver.event_play), which the NET_RECEIVE blocks read from then on."""
    buf, has, slot = pop(buf, til)
    t_ev, nc, recv, inst, flag = (buf[k][slot] for k in ("t", "nc", "recv", "inst", "flag"))
    sched = ctx.params[KEY] if ctx.plays else None
    if ctx.plays:  # the played values as the items delivered so far left them
        ctx = dataclasses.replace(ctx, params=played(ctx.params, ctx.plays, buf))
    args_row = jnp.where(nc >= 0, buf["args"][jnp.maximum(nc, 0)], 0.0)
    sent_nc = jnp.where(nc >= 0, nc, -1)  # a self-event sent from a WATCH event carries no weights either
    mech_state = dict(state["mech"])
    v_nodes = state["v"]
    for r, rec in enumerate(ctx.eplan.receivers):
        if not rec.size:
            continue
        hit = has & (recv == r)
        i = jnp.clip(inst, 0, rec.size - 1)
        params, old, v, ions, env = one_instance_inputs(ctx, rec, {**state, "v": v_nodes}, t_ev, i)
        nargs = len(rec.mechanism.net_receive_args)
        args = tuple(args_row[j] for j in range(nargs))
        table = ctx.eplan.fnc[r] if ctx.eplan.fnc else None
        rows = netcons = None
        if table is not None:  # FOR_NETCONS: the arguments of the NetCons targeting the instance
            rows = jnp.asarray(table)[i]
            netcons = (buf["args"][jnp.maximum(rows, 0)], rows >= 0, (rows == nc) & (nc >= 0))
        new, new_args, records = rec.mechanism.net_receive_events(params, old, v, ions, env, args, flag,
                                                                  netcons=netcons)
        if rows is not None:  # written back before the event's own NetCon (its arguments are NET_RECEIVE's)
            put = jnp.where(hit & (rows >= 0), rows, buf["args"].shape[0])
            buf = {**buf, "args": buf["args"].at[put].set(jnp.asarray(records["netcons"], buf["args"].dtype),
                                                          mode="drop")}
        if eplan_q(ctx, r) >= 0 and int(getattr(rec.mechanism, "net_send_sites", 0)) > 0:
            # nocmodl's NET_RECEIVE starts with `if (_lflag == 1.) {*(_tqitem) = nullptr;}` (nocpout.cpp)
            q = eplan_q(ctx, r) + i
            buf = {**buf, "tq": buf["tq"].at[q].set(jnp.where(hit & (flag == 1.0), -1, buf["tq"][q]))}
        full = mech_state[rec.name]
        mech_state[rec.name] = {
            k: full[k].at[i].set(jnp.where(hit, jnp.asarray(new[k], full[k].dtype)[0], full[k][i])) for k in full}
        for k in getattr(rec.mechanism, "shared_globals", ()):  # NEURON's one value: what the block left, for all
            if k in full:
                mech_state[rec.name][k] = jnp.where(hit, jnp.broadcast_to(jnp.asarray(new[k], full[k].dtype)[0],
                                                                          full[k].shape), mech_state[rec.name][k])
        if scop_shared.KEY in new:  # the value NET_RECEIVE left is NEURON's one generator's (solver.scop_shared)
            mech_state = scop_shared.spread(mech_state, _drawing(ctx), jnp.asarray(new[scop_shared.KEY])[0], hit)
        if nargs:
            row = buf["args"][jnp.maximum(nc, 0)]
            for j in range(nargs):
                row = row.at[j].set(jnp.asarray(new_args[j], row.dtype) if jnp.ndim(new_args[j]) == 0
                                    else jnp.asarray(new_args[j], row.dtype)[0])
            buf = {**buf, "args": buf["args"].at[jnp.maximum(nc, 0)].set(
                jnp.where(hit & (nc >= 0), row, buf["args"][jnp.maximum(nc, 0)]))}
        if "v" in records and rec.inst is not None:  # a POINT_PROCESS's NET_RECEIVE set its node's v (`v = vreset`:
            # nocmodl's `NODEV(_pnt->node) = v`, nocpout.cpp): the rest of the step starts from it
            node = jnp.asarray(rec.inst.nodes)[i]
            v_nodes = v_nodes.at[node].set(jnp.where(hit, jnp.asarray(records["v"], v_nodes.dtype)[0], v_nodes[node]))
        buf = queue_records(ctx, buf, r, records, i, sent_nc, hit, row=0, t=t_ev)
        buf = activate_watches(ctx, buf, r, i, records, hit)
    if sched is not None:
        buf = deliver_play(buf, sched, has, nc, inst)
    return {**state, "mech": mech_state, "v": v_nodes}, buf


def _drawing(ctx: Context) -> list[str]:
    """The mechanisms whose instances draw from scop_random (their state keeps its value)."""
    return [inst.name for inst in ctx.plan.mechanisms if scop_shared.draws(inst.mechanism)] + [
        rec.name for rec in ctx.eplan.receivers if rec.inst is None and scop_shared.draws(rec.mechanism)]


def eplan_q(ctx: Context, r: int) -> int:
    """Receiver r's first `tq` entry, -1 when it never calls net_move."""
    return ctx.eplan.q_base[r] if ctx.eplan.q_base else -1


def deliver(ctx: Context, state: dict, buf: dict, til):
    """NetCvode::deliver_events(til): every queued event with time <= til, in queue order (at most
    `per_step`; more sets `overflow`). Each of the `per_step` pops is a cond taken only while an event is
    due, so a step pays for the events it delivers (a static loop, not a while loop, so that jax.grad runs
    through it; under vmap the conds become selects and every pop runs; `EventSettings(differentiable=False)`:
    a while loop)."""
    def body(_, c):
        return jax.lax.cond(due(c[1], til), lambda c: deliver_one(ctx, *c, til), lambda c: c, c)

    def run(c):
        st, b = jax.lax.fori_loop(0, ctx.eplan.settings.per_step, body, c)
        return st, _overflow(b, due(b, til), til)

    if not ctx.eplan.settings.differentiable:  # a while loop; batched without selecting the carry
        return deliver_while(ctx, state, buf, til, deliver_one)
    return jax.lax.cond(due(buf, til), run, lambda c: c, (state, buf))


def initialize(ctx: Context, state: dict, records: dict, dtype) -> tuple[dict, dict]:
    """finitialize's event part, after the thread mechanisms' INITIAL (`records`: their net_sends):
    artificial cells' INITIAL, NetCon INITIAL, then events at t <= 0 (module docstring)."""
    state, buf = initialize_queue(ctx, state, records, dtype)
    return deliver(ctx, state, buf, state["t"])


def initialize_queue(ctx: Context, state: dict, records: dict, dtype) -> tuple[dict, dict]:
    """`initialize` up to its delivery: the queued plays' first events (those at t <= 0 delivered), artificial
    cells' INITIAL, the INITIAL net_sends queued, NetCon INITIAL, then every mechanism's AFTER INITIAL."""
    eplan = ctx.eplan
    buf = empty_buffer(eplan, ctx.params["network"]["weights"], dtype)
    if ctx.plays:  # fadvance.cpp nrn_finitialize: the plays' first events, those at t <= 0 delivered before INITIAL
        buf = play_init({**buf, **empty_entries(len(ctx.plays))}, ctx.params[KEY], len(ctx.plays))
        buf = deliver_initial(buf, ctx.params[KEY], state["t"])
    mech_state = dict(state["mech"])
    drawing = [rec.name for rec in eplan.receivers if rec.size and scop_shared.draws(rec.mechanism)]
    # fadvance.cpp nrn_finitialize: the ARTIFICIAL_CELLs' INITIAL draws on where the thread mechanisms' left it
    scop = scop_shared.current(mech_state)
    for r, rec in enumerate(eplan.receivers):  # thread mechanisms' INITIAL net_sends, then artificial cells'
        if rec.inst is None:
            params, v, ions, env = receiver_inputs(ctx, rec, state, state["t"])
            start = {k: jnp.full((rec.size,), d, dtype) for k, d in rec.mechanism.state_defaults.items()}

            def run(p, rec=rec, start=start, v=v, ions=ions, env=env):
                return rec.mechanism.init_events(p, start, v, ions, env)
            if rec.name in drawing:  # NEURON's one generator: the instances draw in turn (solver.scop_shared)
                (st, _, got), scop = scop_shared.in_turn(run, params, rec.size, scop)
                mech_state[rec.name] = {k: jnp.asarray(x, dtype) for k, x in st.items()}
                mech_state = scop_shared.spread(mech_state, scop_shared.drawing(mech_state), scop)
            else:
                st, _, got = run(params)
                mech_state[rec.name] = {k: jnp.asarray(x, dtype) for k, x in st.items()}
        else:
            got = records.get(rec.name)
        if got and rec.size:
            def one(b, i, r=r, got=got):
                return queue_records(ctx, b, r, got, i, jnp.asarray(-1, jnp.int32), jnp.asarray(True)), None

            buf, _ = jax.lax.scan(one, buf, jnp.arange(rec.size, dtype=jnp.int32))
    from bridge.solver.step import after_initial  # the step's own helper (same layer)

    state = {**state, "mech": mech_state}
    args = init_netcon_args(ctx, state, buf["args"])
    # fadvance.cpp nrn_finitialize: AFTER INITIAL after init_net_events, before the events at t = 0 are delivered
    state = after_initial(ctx.plan, ctx.params, ctx.prepared, state, ctx.dt, ctx.secondorder)
    return state, {**buf, "args": args}


def init_netcon_args(ctx: Context, state: dict, args):
    """NetCvode::init_events: NET_RECEIVE INITIAL per NetCon, else the weights after the first set to 0."""
    eplan = ctx.eplan
    for r, rec in enumerate(eplan.receivers):
        rows = np.flatnonzero(eplan.nc_recv == r)
        if not len(rows):
            continue
        nargs = len(rec.mechanism.net_receive_args)
        if "net_receive_initial" in getattr(rec.mechanism, "functions", {}):
            params, v, ions, env = receiver_inputs(ctx, rec, state, state["t"])
            idx = eplan.nc_inst[rows]
            new = rec.mechanism.net_receive_initial(
                {k: jnp.asarray(a)[idx] for k, a in params.items()},
                {k: a[idx] for k, a in state["mech"][rec.name].items()}, v[idx],
                {k: a[idx] for k, a in ions.items()}, env, tuple(args[rows, j] for j in range(nargs)))
            for j in range(nargs):
                args = args.at[rows, j].set(jnp.asarray(new[j], args.dtype) + jnp.zeros(len(rows), args.dtype))
        else:
            args = args.at[rows, 1:].set(0.0)
    return args
