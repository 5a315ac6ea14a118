"""Stepping a run piece by piece: NEURON's fixed step from a state held between calls.

`Simulation` runs finitialize and all steps of one run in one traced function. A HOC
session instead advances the simulation when HOC calls `fadvance()` or `continuerun()`,
changing parameters in between. `make_advance` gives one jitted function per model
structure (plan, secondorder, probes) that takes the parameters, the state, dt and a
step count up to `capacity`: a `lax.fori_loop` with a traced trip count writes the
samples into a preallocated buffer, so runs of any length (and a single `fadvance()`)
reuse one compilation, and changed parameters (a stimulus amplitude, a range value,
celsius, a GLOBAL) and a changed dt (a model's init() that settles with big steps, then
runs with small ones) are arguments, never a reason to compile again. So are `make_initialize`'s
and `make_currents`' (finitialize() and fcurrent()).

Each step is `bridge.solver.step.fixed_step_with_matrix` (NEURON's `nrn_fixed_step`,
docs/numerics.md section 2), with t advanced by two traced half steps as NEURON does; NEURON's `cj`
(1/dt or 2/dt) is computed from the traced dt in the step, as fadvance.cpp `dt2thread` computes it
from the new dt. TABLEs are checked as nocmodl's `_check_<f>` checks them (`bridge.solver.step.prepare_kept`), at
finitialize, at the start of each piece (of each step with a played GLOBAL) and at fcurrent: rebuilt only
when a DEPEND value changed since the last build (dt is one: a TABLE that DEPENDs on dt is rebuilt for a new
dt); in a mechanism nocmodl does not vectorize, only at those of these moments where code calls the tabulated
FUNCTION/PROCEDURE (`bridge.nmodl.analysis.vectorize`). What they were last built from is the state's
`TABLES` entry, carried from run to run (`initialize(params, memory, dt)`).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.mechanisms.protocol import played_key
from bridge.solver import events as evlib
from bridge.solver.integrate import first_nan, state_watch
from bridge.solver.plan import Plan
from bridge.solver.play_params import ASSIGNED, apply_plays
from bridge.solver.step import (
    before_step,
    finitialize,
    fixed_step_with_matrix,
    mechanism_currents,
    prepare_kept,
    table_memory,
)

CAPACITY = 512  # steps one call of the advance function may take (and samples it returns)
TABLES = "tables"  # the state's entry: what each mechanism's TABLEs were last built from (step.prepare_kept)


def initial_state(plan: Plan, params: dict, dt: float, secondorder: int, memory: dict | None = None) -> dict:
    """NEURON's `finitialize` (`bridge.solver.step.finitialize`) with t = 0 as a double; `memory`: what the
    TABLEs were last built from (None: nothing built yet)."""
    prepared, memory = prepare_kept(plan, params, dt, secondorder, memory, "init")
    state = finitialize(plan, params, prepared, dt, secondorder)
    return {**state, "t": jnp.zeros((), jnp.float64), TABLES: memory}


def initial_state_with_events(plan: Plan, params: dict, dt: float, secondorder: int, events,
                              memory: dict | None = None, plays: tuple = ()) -> dict:
    """`initial_state` of a model with a NetCon network (`bridge.solver.events.EventPlan`): finitialize with
    the INITIAL blocks' net_sends queued, then the events at t = 0 delivered and the currents recomputed, as
    `bridge.solver.integrate.integrate` does; the event buffer is the state's "events". `plays`: the setters of
    the plays whose events go on the queue (`bridge.solver.event_play`; their schedules `params["play_queue"]`)."""
    prepared, memory = prepare_kept(plan, params, dt, secondorder, memory, "init")
    records: dict = {}
    state = finitialize(plan, params, prepared, dt, secondorder, jnp.float64, records)
    state = {**state, "t": jnp.zeros((), jnp.float64)}
    ectx = evlib.Context(plan, events, params, prepared, dt, secondorder, plays)
    state, buf = evlib.initialize(ectx, state, records, state["v"].dtype)
    _, _, mech_state, ions = mechanism_currents(plan, params, prepared, state, state["t"], dt, secondorder)
    # netcvode.cpp fixed_record_continuous: BEFORE STEP after finitialize's currents, before the record at t = 0
    state = before_step(plan, params, prepared, {**state, "mech": {**state["mech"], **mech_state}, "ions": ions}, dt,
                        secondorder)
    return {**state, "events": buf, TABLES: memory}


def make_initialize(plan: Plan, secondorder: int, record: Callable[[dict, dict], jax.Array],
                    on_trace: Callable[[], None] | None = None, events=None, plays: tuple = ()):
    """A jitted `initialize(params, memory, dt) -> (state, values at t = 0)` (`initial_state`, then the probes);
    `events`: the model's EventPlan, or None; `memory`: the TABLEs' (`step.table_memory` before any run); dt
    [ms] a float64 scalar (an argument: a new dt compiles nothing); `plays`: `initial_state_with_events`'. `on_trace`
    is called each time JAX traces it."""

    def initialize(params, memory, dt):
        if on_trace is not None:
            on_trace()
        dt = _time_step(dt)
        if events is None:
            state = initial_state(plan, params, dt, secondorder, memory)
        else:
            state = initial_state_with_events(plan, params, dt, secondorder, events, memory, plays)
        return state, record(state, params)

    return jax.jit(initialize)


def make_currents(plan: Plan, secondorder: int, on_trace: Callable[[], None] | None = None):
    """A jitted `currents(params, state, dt)`: `recompute_currents` with dt [ms] an argument. `on_trace` is
    called each time JAX traces it."""

    def currents(params, state, dt):
        if on_trace is not None:
            on_trace()
        return recompute_currents(plan, params, state, _time_step(dt), secondorder)

    return jax.jit(currents)


def _time_step(dt) -> jax.Array:
    """dt [ms] as the run's float64 scalar (a traced argument of the live run's jitted functions)."""
    return jnp.asarray(dt, jnp.float64)


def recompute_currents(plan: Plan, params: dict, state: dict, dt: float, secondorder: int) -> dict:
    """NEURON's `fcurrent()`: currents, ion currents and kept ASSIGNED variables evaluated at the present
    v and states with the present parameters; v and the STATEs stay (fadvance.cpp `fcurrent`, which checks
    the TABLEs first: `nrn_thread_table_check`)."""
    prepared, memory = prepare_kept(plan, params, dt, secondorder, state.get(TABLES), "current")
    _, _, mech, ions = mechanism_currents(plan, params, prepared, state, state["t"], dt, secondorder,
                                          state_discon=False)
    return {**state, "mech": mech, "ions": ions, TABLES: memory}


def with_played_assigned(plan: Plan, params: dict, setters: tuple) -> dict:
    """`params` with a slot (`played_key`) for each played variable that is not a parameter: a RANGE ASSIGNED no
    statement of its mechanism assigns (`bridge.hoc.play`), which the mechanism then reads from the parameters
    (runtime.mechanism `_scope`); it starts at the mechanism's value before INITIAL (the value HOC gave it, or
    its default)."""
    translated = {inst.name: inst.mechanism for inst in plan.mechanisms}
    missing = []
    for kind, name, var, _ in setters:
        mech = translated.get(name) if kind == "mech" else None
        if mech is None or var in mech.range_parameters:  # a parameter (or extracellular's): played in place
            continue
        if played_key(var) not in params["mechanisms"].get(name, {}):
            missing.append((name, var))
    if not missing:
        return params
    mechs = {k: dict(v) for k, v in params["mechanisms"].items()}
    for name, var in missing:
        inst = plan.instances(name)
        if var not in inst.mechanism.state_defaults:
            raise BridgeError(f"Vector.play into {var} of {name}: not a variable of the mechanism")
        start = mechs[name].get(var, float(inst.mechanism.state_defaults[var]))
        mechs[name][played_key(var)] = jnp.broadcast_to(jnp.asarray(start, jnp.float64), (inst.size,))
    return {**params, "mechanisms": mechs}


def assign_played(v, mech: dict, setters: tuple, values, flags) -> tuple:
    """(v, mechanism state) with each play into v or a STATE (`ASSIGNED` setters) set to `values[j]` where
    `flags[j]` (NEURON's play writes the node's v or the instance's STATE in place: vrecord.cpp
    `VecPlayStep::deliver`, `VecPlayContinuous::continuous`)."""
    mech = dict(mech)
    for j, (kind, name, var, index) in enumerate(setters):
        if kind == "v":
            v = v.at[index].set(jnp.where(flags[j], values[j], v[index]))
        elif kind == "state":
            arr = mech[name][var]
            mech[name] = {**mech[name], var: arr.at[index].set(jnp.where(flags[j], values[j], arr[index]))}
    return v, mech


def make_advance(plan: Plan, secondorder: int, record: Callable[[dict, dict], jax.Array],
                 nprobe: int, capacity: int = CAPACITY, on_trace: Callable[[], None] | None = None,
                 setters: tuple = (), events=None, cj_order: int | None = None, watch: bool = False,
                 plays: tuple = ()):
    """A jitted `advance(params, state, count, dt, half_dt, play) -> (state, t (capacity,), values (capacity,
    nprobe), nan)`: `count` <= capacity fixed steps of dt [ms] from `state`; rows past `count` are zeros, `nan`
    is True when v, a STATE or an ion variable is NaN at the end (`bridge.solver.integrate.first_nan`'s rule: a
    kept ASSIGNED alone is no failure). dt is an argument (a new dt compiles nothing); `half_dt` is 0.5*dt,
    passed too so that XLA cannot fold NEURON's two roundings of t into one. `play` = (start, mid, end,
    on_start, on), each (capacity, len(setters)): the values `Vector.play` sets at the step's start (TABLEs),
    for the currents (t + dt/2) and for the state update (t + dt) of each step (`bridge.hoc.play.step_values`,
    `apply_plays`); with a played GLOBAL the TABLEs are rebuilt each step. `on_trace` is called each time JAX
    traces (compiles) it. `events` (an EventPlan): the state carries the event buffer ("events"),
    delivered around each step as `bridge.solver.integrate.integrate` does, beside the plays; `plays`: the setters
    of the plays whose variables a NET_RECEIVE or WATCH reads, whose events go on the queue
    (`bridge.solver.event_play`, `bridge.hoc.play_events`; the step's own values still come from `play`).
    `cj_order`: the secondorder of NEURON's `cj` (`bridge.solver.step.fixed_step_with_matrix`).
    `watch` (to locate a NaN after the fact, `bridge.hoc.live_nan`): `nan` is instead (step, index): the
    first of the `count` steps (1-based; 0: the state given) after which the state holds a NaN, and its index
    in `state_watch`'s layout, as `integrate` tracks it each step (-1, -1: none); off, the steps carry no
    check."""
    per_step_tables = any(kind == "global" for kind, *_ in setters)
    assigned = any(kind in ASSIGNED for kind, *_ in setters)
    if assigned and (events is not None or plan.extracellular is not None or plan.linear is not None):
        raise UnsupportedFeature("Vector.play into v or a STATE in a run with NetCons, extracellular or a "
                                 "LinearMechanism is not supported (bridge assigns them in the plain fixed step)")

    def advance(params, state, count, dt, half_dt, play):
        if on_trace is not None:
            on_trace()
        dt = _time_step(dt)
        memory = state.get(TABLES)
        if memory is None:  # a state from elsewhere: nothing built yet
            memory = table_memory(plan, params, dt, secondorder)
        state = {k: a for k, a in state.items() if k != TABLES}
        prepared = None
        if not per_step_tables:  # one check at the first step's start: nothing changes during the piece
            prepared, memory = prepare_kept(plan, params, dt, secondorder, memory, "step")
        dtype = state["v"].dtype
        ts = jnp.zeros((capacity,), jnp.float64)
        ys = jnp.zeros((capacity, nprobe), dtype)
        start, mid, end, on_start, on, assign, post = play

        def body(k, carry):
            st, ts, ys, mem = carry[:4]
            p_mid = p_end = params
            pre, after = prepared, {}
            if setters:  # the values the currents (t + dt/2) and the state update (t + dt) see
                p_mid = apply_plays(params, setters, mid[k], on[k])
                p_end = apply_plays(params, setters, end[k], on[k])
                if per_step_tables:  # NEURON checks TABLEs once, at the start of the step (nrn_fixed_step)
                    pre, mem = prepare_kept(plan, apply_plays(params, setters, start[k], on_start[k]), dt,
                                            secondorder, mem, "step")
                after = {"params_after": p_end, "prepared_after": pre}
            if assigned:  # before the currents (t + dt/2): the events <= t + dt/2 and the continuous plays
                v, mech = assign_played(st["v"], st["mech"], setters, mid[k], assign[k, :, 0])
                st = {**st, "v": v, "mech": mech}
                after["before_nonvint"] = lambda v, m: assign_played(v, m, setters, end[k], assign[k, :, 1])
            if events is not None:  # integrate's step: thresholds, WATCHes, events <= t + dt/2, the step, events <= t
                # what NET_RECEIVE reads of a played variable is the queue's (bridge.solver.event_play)
                ectx = evlib.Context(plan, events, params, pre, dt, secondorder, plays)
                st_only = {k2: a for k2, a in st.items() if k2 != "events"}
                buf = evlib.check_thresholds(events, st["events"], st["v"], st["t"], st["mech"])
                buf = evlib.check_watches(ectx, buf, st_only, st["t"])  # after the sources, as integrate's step
                st, buf = evlib.deliver(ectx, st_only, buf, st["t"] + 0.5 * dt)
                new, d, rhs = fixed_step_with_matrix(plan, p_mid, pre, st, dt, secondorder, half_dt,
                                                     cj_order=cj_order, **after)
                values = record(new, p_end)  # before the events <= t (nrn_fixed_step_lastpart records first)
                new, buf = evlib.deliver(ectx, new, buf, new["t"])
                new = {**new, "events": buf}
            else:
                new, d, rhs = fixed_step_with_matrix(plan, p_mid, pre, st, dt, secondorder, half_dt,
                                                     cj_order=cj_order, **after)
                values = record(new, p_end)
                if assigned:  # nrn_fixed_step_lastpart: the events <= t + dt, after the recording
                    v, mech = assign_played(new["v"], new["mech"], setters, post[k], assign[k, :, 2])
                    new = {**new, "v": v, "mech": mech}
            out = new, ts.at[k].set(new["t"]), ys.at[k].set(values), mem
            if not watch:
                return out
            return out + (_first(carry[4], k + 1, plan, new, d, rhs),)

        init = (state, ts, ys, memory)
        if watch:
            init += (_first((jnp.int32(-1), jnp.int32(-1)), 0, plan, state, jnp.ones_like(state["v"]),
                            jnp.zeros_like(state["v"])),)
        state, ts, ys, memory, *found = jax.lax.fori_loop(0, count, body, init)
        if watch:
            return {**state, TABLES: memory}, ts, ys, found[0]
        nan, _ = first_nan(state_watch(plan, state, jnp.zeros(state["v"].shape, bool)))
        return {**state, TABLES: memory}, ts, ys, nan

    return jax.jit(advance)


def _first(found, step, plan: Plan, state: dict, d, rhs):
    """`found` = (step, index) of the first NaN so far, or (-1, -1), updated with `state` after `step`, its
    tree matrix (d, rhs) telling where NaN entered v (`bridge.solver.integrate.integrate`'s step)."""
    nan_step, nan_index = found
    source = jnp.isnan(d) | jnp.isnan(rhs) | ((d == 0) & jnp.isnan(state["v"]))
    hit, index = first_nan(state_watch(plan, state, source))
    first = (nan_step < 0) & hit
    return jnp.where(first, step, nan_step).astype(jnp.int32), jnp.where(first, index, nan_index).astype(jnp.int32)
