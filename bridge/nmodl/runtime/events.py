"""What `net_send` and `net_event` do in generated code: record the request in the scope.

A translated INITIAL or NET_RECEIVE block runs over all instances at once, so it cannot
push onto an event queue. Each call site `k` of `net_send(delay, flag)` sets, per instance,
`__send_on<k>` (1 where the call ran), `__send_t<k>` (the event's time, t + delay [ms], as
nocmodl's `net_send(..., t + delay, flag)`) and `__send_flag<k>`; each site of
`net_event(tt)` sets `__event_on<k>` and `__event_t<k>` [ms]; each site of `net_move(tt)` sets
`__move_on<k>` and `__move_t<k>` [ms] (the new time of the instance's pending flag-1 self-event).
IF branches merge these like any other variable, so a call inside a branch not taken records
nothing. Each WATCH condition `k` sets `__watch_on<k>` and `__watch_above<k>` (`watch`). The wrapper
(`runtime.mechanism`) starts every site at 0 before the block and hands the records to the
solver (`bridge.solver.events`), which queues them in NEURON's order (site order).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from bridge.nmodl.runtime.flow import if_

Scope = dict[str, Any]


WATCH_EPS = 1e-11  # NEURON's hoc_epsilon: WatchCondition::activate counts value >= -hoc_epsilon as true


def site_keys(sends: int, events: int, watches: int = 0, moves: int = 0) -> tuple[str, ...]:
    """The scope keys of `sends` net_send sites, `events` net_event sites, `watches` WATCH conditions and
    `moves` net_move sites."""
    keys = [f"__send_{part}{k}" for k in range(sends) for part in ("on", "t", "flag")]
    keys += [f"__watch_{part}{k}" for k in range(watches) for part in ("on", "above")]
    keys += [f"__move_{part}{k}" for k in range(moves) for part in ("on", "t")]
    return tuple(keys + [f"__event_{part}{k}" for k in range(events) for part in ("on", "t")])


def watch(s: Scope, k: int, value) -> Scope:
    """WATCH condition `k` activated with its value now: `__watch_on<k>` 1 and `__watch_above<k>` 1
    where the condition already holds (netcvode.cpp `WatchCondition::activate`: value >= -hoc_epsilon;
    it then fires only after turning false and true again)."""
    s = dict(s)
    on = s[f"__watch_on{k}"]
    s[f"__watch_on{k}"] = jnp.ones_like(on)
    s[f"__watch_above{k}"] = jnp.zeros_like(on) + jnp.where(value >= -WATCH_EPS, 1.0, 0.0)
    return s


def net_send(s: Scope, site: int, delay, flag) -> Scope:
    """`net_send(delay, flag)` at call site `site`: a self-event at t + delay with `flag`."""
    s = dict(s)
    on = s[f"__send_on{site}"]
    s[f"__send_on{site}"] = jnp.ones_like(on)
    s[f"__send_t{site}"] = jnp.zeros_like(on) + (s["t"] + delay)
    s[f"__send_flag{site}"] = jnp.zeros_like(on) + flag
    return s


def net_event(s: Scope, site: int, tt) -> Scope:
    """`net_event(tt)` at call site `site`: the instance fires at tt [ms] (its NetCons deliver at tt + delay)."""
    s = dict(s)
    on = s[f"__event_on{site}"]
    s[f"__event_on{site}"] = jnp.ones_like(on)
    s[f"__event_t{site}"] = jnp.zeros_like(on) + tt
    return s


FNC_ARGS, FNC_ON, FNC_SELF = "__fnc_args__", "__fnc_on__", "__fnc_self__"


def for_netcons(body, s: Scope, local: Scope, names: tuple[str, ...], own: tuple[str, ...]) -> tuple[Scope, Scope]:
    """`FOR_NETCONS(names) { body }`: the body once per NetCon targeting the instance (nocmodl's loop over
    `_nrn_netcon_args`; netcvode.cpp `fornetcon_prepare` lists them), with `names` bound to that NetCon's
    first arguments and its changes written back. The solver puts the NetCons' arguments in the scope:
    `__fnc_args__` (F, W), `__fnc_on__` (F,) (a real entry, not padding) and `__fnc_self__` (F,) (the
    NetCon whose event is being handled: its arguments are also NET_RECEIVE's, `own`, one memory in C)."""
    if FNC_ARGS not in s:  # run outside the solver's delivery: no NetCons
        return s, local
    for k in range(int(jnp.shape(s[FNC_ARGS])[0])):
        def one(s_, l_, k=k):
            table, mine = s_[FNC_ARGS], s_[FNC_SELF][k]
            loc = dict(l_)
            for j, n in enumerate(names):
                loc[n] = jnp.where(mine, l_[own[j]], table[k, j])
            s2, l2 = body(dict(s_), loc)
            for j, n in enumerate(names):
                table = table.at[k, j].set(jnp.reshape(l2[n], (-1,))[0])
                l2[own[j]] = jnp.where(mine, l2[n], l2[own[j]])
            return {**s2, FNC_ARGS: table}, {key: x for key, x in l2.items() if key not in names}
        s, local = if_(s[FNC_ON][k], one, None, s, local)
    return s, local


def net_move(s: Scope, site: int, tt) -> Scope:
    """`net_move(tt)` at call site `site`: the instance's pending flag-1 self-event moves to tt [ms]
    (nocmodl passes tt as given, no `t +`; the solver moves the queue item: netcvode.cpp `nrn_net_move`)."""
    s = dict(s)
    on = s[f"__move_on{site}"]
    s[f"__move_on{site}"] = jnp.ones_like(on)
    s[f"__move_t{site}"] = jnp.zeros_like(on) + tt
    return s


AT_TIME_EPS = 1e-11  # [ms] cvodestb.cpp at_time: te - 1e-11 is compared with the thread's t


def at_time(te, t, dt):
    """NMODL's `at_time(te)` in NEURON's fixed step (cvodestb.cpp `at_time`): 1 in the step whose interval
    (t - dt, t] holds te - 1e-11, else 0. `t` is NEURON's thread time where the block runs (t_n + dt/2 in
    BREAKPOINT's currents, t_n + dt in its SOLVE, 0 in INITIAL) [ms]."""
    x = jnp.asarray(te, jnp.result_type(float)) - AT_TIME_EPS
    return jnp.where((x <= t) & (x > t - dt), 1.0, 0.0)


def discontinuity(s: Scope, value, old):
    """`state_discontinuity(x, value)`: x's new value, or its `old` one where NEURON does not assign
    (nrnoc's state_discontinuity: only while state_discon_allowed_ and not state_discon_flag_; the wrapper
    sets `__discon__` from `Env.state_discon`: False in fcurrent() and in nrn_cur's second BREAKPOINT run)."""
    return value if s.get("__discon__", True) else old
