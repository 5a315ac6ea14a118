"""Run NEURON's fixed-step loop with `lax.scan`: finitialize, steps, recordings like Vector.record.

`integrate` is a pure function of the parameter pytree, so `jit`, `vmap` and
`grad` apply. Samples are taken at t=0 (after finitialize) and after every
step, with NEURON's accumulated float t. Long runs can use a nested,
checkpointed scan so that reverse-mode memory grows like the n-th root of the
number of steps instead of linearly. The first step after which the state holds
a NaN (v, every mechanism's STATEs, the ion concentrations and reversal potentials)
is tracked in the loop (`any_nan`: one test per carried array and step) and
returned as `nan_step`; where it is (`nan_index` into the `Watch` layout, naming
the variable and place) is found after the fact by the same run with `locate=True`,
which tracks the full `first_nan` each step (docs/performance.md: locating every
step cost as much as the rest of the step). A kept ASSIGNED variable that is NaN
only names the cause when the state went NaN in the same step: alone it is no
failure, because NEURON computes the same NaN and overwrites it before it is read
again (a rate 0/0 at exactly v_init, e.g. `trap0` in `rates()` at finitialize).
An ion current (`ina`, `dinadv`) is recomputed from zero every step, so it too only
names the cause: a NaN there is in the matrix row of its node and so in v the same step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from bridge.mechanisms.ions import variable_names
from bridge.solver import checkpointing
from bridge.solver import events as evlib
from bridge.solver.budget import step_count  # noqa: F401  (re-exported: tests, benchmarks)
from bridge.solver.event_step import deliveries
from bridge.solver.events import EventPlan
from bridge.solver.plan import Plan
from bridge.solver.step import before_step, finitialize, fixed_step_with_matrix, mechanism_currents, prepare


def checkpoint_lengths(nsteps: int, levels: int) -> tuple[int, ...]:
    """Nested scan lengths whose product covers nsteps (`bridge.solver.checkpointing.lengths`)."""
    return checkpointing.lengths(nsteps, levels)


def nested_checkpoint_scan(f: Callable, carry, xs, lengths: Sequence[int]):
    """`lax.scan(f, carry, xs)` as nested scans, each inner level wrapped in `jax.checkpoint`.

    `xs` has leading size prod(lengths). Reverse mode stores carries at each
    level and recomputes the inner ones, so memory is O(sum(lengths)); each step `f`
    keeps only what `checkpointing.STEP_POLICY` saves.
    """
    if len(lengths) == 1:
        return jax.lax.scan(jax.checkpoint(f, policy=checkpointing.STEP_POLICY), carry, xs)
    outer, rest = lengths[0], lengths[1:]
    xs = jax.tree.map(lambda x: x.reshape((outer, -1) + x.shape[1:]), xs)

    @jax.checkpoint
    def body(c, x):
        return nested_checkpoint_scan(f, c, x, rest)

    carry, ys = jax.lax.scan(body, carry, xs)
    return carry, jax.tree.map(lambda y: y.reshape((-1,) + y.shape[2:]), ys)


@dataclass(frozen=True)
class Watched:
    """One array the NaN check watches: `kind` "mech" (keys: mechanism, variable), "ion" (ion,
    variable), "source" (the tree matrix rows d or rhs of a node: v goes NaN there), "v",
    "param" (mechanism, parameter), "cm", "ion0" (ion, variable before finitialize) or "global"
    (name); `shape` its static shape (instances first). `carried`: a NaN here carries into the
    next step (v, a STATE, an ion variable, a parameter); False for a mechanism's ASSIGNED
    variable, which only names the cause of a NaN found in a carried array."""

    kind: str
    keys: tuple[str, ...]
    shape: tuple[int, ...]
    carried: bool = True

    @property
    def size(self) -> int:
        return math.prod(self.shape)


def locate(watch: tuple[Watched, ...], index: int) -> tuple[Watched, tuple[int, ...]]:
    """The watched array and the position in it of flat `index` (as `first_nan` counts)."""
    for w in watch:
        if index < w.size:
            return w, tuple(int(i) for i in np.unravel_index(index, w.shape))
        index -= w.size
    raise IndexError(f"index {index} is past the watched arrays")


def first_nan(named: list[tuple[Watched, jax.Array]]):
    """(any NaN in a carried array, flat index of the first NaN in any array) over the arrays in
    order: the index `argmax` of their concatenated NaN flags gives (0 when there is none). An array
    of kind "source" holds booleans already (NaN found in the matrix rows).

    Each array's first NaN is a min-reduce of its own positions (no concatenated copy, no argmax:
    XLA:CPU runs an argmax, a reduce of value-index pairs, element by element, and rewrites a long
    reduce into reduce-windows; on the 993-compartment hh cell, 27,000 watched values, that check was
    as long as the rest of the step)."""
    if not named or sum(w.size for w, _ in named) == 0:  # nothing watched (artificial cells alone: no node)
        return jnp.asarray(False), jnp.asarray(0, jnp.int32)
    hit, index = jnp.asarray(False), None
    for w, a in reversed(named):  # the earliest array with a NaN wins: fold from the last
        flags = (a if w.kind == "source" else jnp.isnan(a)).reshape(-1)
        size = int(flags.size)
        if size == 0:
            continue
        first = jnp.min(jnp.where(flags, jnp.arange(size, dtype=jnp.int32), jnp.int32(size)))
        found = first < size
        if w.carried:
            hit = hit | found
        index = (first, found) if index is None else (jnp.where(found, first, index[0] + size), found | index[1])
    assert index is not None
    return hit, jnp.where(index[1], index[0], 0).astype(jnp.int32)


def any_nan(named: list[tuple[Watched, jax.Array]]) -> jax.Array:
    """Whether a carried array (v, a STATE, an ion concentration or reversal potential) holds a NaN:
    `first_nan`'s hit without its index. Leaves out the matrix rows ("source"): a NaN row is a NaN in v
    after the solve (the elimination carries it to every node of the cell, 0 * NaN being NaN)."""
    hit = jnp.asarray(False)
    for w, a in named:
        if w.carried and w.kind != "source" and w.size:
            hit = hit | jnp.any(jnp.isnan(a))
    return hit


def state_watch(plan: Plan, state: dict, source: jax.Array) -> list[tuple[Watched, jax.Array]]:
    """The state arrays the NaN check watches, in the order a NaN among them is reported (first
    wins): the nodes where NaN entered v this step (`source`), mechanism variables in type order,
    ion variables, v. A mechanism's ASSIGNED variables and the ion currents are not `carried`."""
    named = [(Watched("source", (), tuple(source.shape)), source)]
    for inst in plan.mechanisms:
        states = set(inst.mechanism.states)
        for key in sorted(state["mech"][inst.name]):
            a = state["mech"][inst.name][key]
            named.append((Watched("mech", (inst.name, key), tuple(jnp.shape(a)), key in states), a))
    for style in plan.ions:
        names = variable_names(style.ion)
        recomputed = {names["cur"], names["dcurdv"]}  # zeroed and summed again by every step's currents
        for key in sorted(state["ions"][style.ion]):
            a = state["ions"][style.ion][key]
            named.append((Watched("ion", (style.ion, key), tuple(jnp.shape(a)), key not in recomputed), a))
    named.append((Watched("v", (), tuple(jnp.shape(state["v"]))), state["v"]))
    return named


def param_watch(params: dict) -> list[tuple[Watched, jax.Array]]:
    """The parameter arrays (to name a NaN parameter behind a NaN in the state)."""
    named = [(Watched("cm", (), tuple(jnp.shape(params["cm"]))), params["cm"])]
    for mech in sorted(params["mechanisms"]):
        for key in sorted(params["mechanisms"][mech]):
            a = params["mechanisms"][mech][key]
            named.append((Watched("param", (mech, key), tuple(jnp.shape(a))), a))
    for ion in sorted(params["ions"]):
        for key in sorted(params["ions"][ion]):
            a = params["ions"][ion][key]
            named.append((Watched("ion0", (ion, key), tuple(jnp.shape(a))), a))
    for key in sorted(params["globals"]):
        a = params["globals"][key]
        named.append((Watched("global", (key,), tuple(jnp.shape(a))), a))
    return named


@dataclass(frozen=True)
class RunResult:
    """Raw output of `integrate`: sample times [ms], recorded values, the first NaN in the state
    (`nan_step`, -1 for none, 0 at finitialize; `nan_index` into `watch`, -1 where the run did not
    locate it: `locate=False`) and the first NaN parameter (`nan_param` into `param_watch`, -1 for none)."""

    t: jax.Array
    values: jax.Array
    nan_step: jax.Array
    nan_index: jax.Array
    nan_param: jax.Array
    watch: tuple[Watched, ...] = ()
    param_watch: tuple[Watched, ...] = ()
    spikes: dict | None = None  # with events: {"spikes": (nrec, S) [ms], "nspikes": (nrec,), "overflow" [ms],
    # "move_error" [ms]: the first net_move NEURON refuses, inf none; "weights": (nnc, W) at the end}


def integrate(plan: Plan, params: dict, *, dt: float, nsteps: int, secondorder: int,
              record: Callable[[dict, dict], jax.Array], dtype=jnp.float64, checkpoint: int | None = None,
              events: EventPlan | None = None, locate: bool = False):
    """finitialize then `nsteps` fixed steps; returns a RunResult.

    `record(state, params)` gives the values sampled at one time (a 1-D array).
    `checkpoint` = number of nested scan levels (1: a plain scan; None: chosen by `checkpointing.levels`).
    `events`: the model's NetCon network (bridge.solver.events); None costs nothing.
    `locate`: track where the first NaN is (`nan_index`) as well as when; off, `nan_index` is -1.
    """
    params = jax.tree.map(lambda x: jnp.asarray(x, dtype), params)
    prepared = prepare(plan, params, dt, secondorder)
    records: dict | None = {} if events is not None else None
    # without events, finitialize's current evaluation is the loop's first iteration (`init_or_step`): the
    # program holds one copy of the current code, the step's
    state = finitialize(plan, params, prepared, dt, secondorder, dtype, records, currents=False)
    state = {**state, "t": jnp.zeros((), jnp.float64)}  # NEURON's t is a double whatever the state dtype
    ectx = buf0 = None
    if events is not None:  # finitialize's delivery is the scan's first iteration (bridge.solver.event_step)
        ectx = evlib.Context(plan, events, params, prepared, dt, secondorder)
        state, buf0 = evlib.initialize_queue(ectx, state, records or {}, dtype)
    watch = tuple(w for w, _ in state_watch(plan, state, jnp.zeros(state["v"].shape, bool)))
    pnamed = param_watch(params)
    phit, pindex = first_nan(pnamed)
    nan_param = jnp.where(phit, pindex, -1).astype(jnp.int32)
    none = jnp.asarray(-1, jnp.int32)

    def check(named):
        """(NaN in the state, where: index into `watch`, -1 unless `locate`)."""
        return first_nan(named) if locate else (any_nan(named), none)
    # iteration k runs step k - 1; iteration 0 is finitialize's current evaluation (without events) or delivers
    # finitialize's events (with events, bridge.solver.event_step): one more iteration than steps
    step_bytes = checkpointing.step_bytes(plan, state, (buf0,) if ectx is None else (buf0, state["v"], state["v"]))
    lengths = checkpoint_lengths(nsteps + 1, checkpointing.levels(checkpoint, nsteps + 1, step_bytes))
    total = math.prod(lengths)
    # A traced (not constant) dt/2, so XLA cannot fold NEURON's two half-step roundings of t into one.
    half_dt = jax.lax.optimization_barrier(jnp.asarray(0.5 * dt, jnp.float64))

    # positions (in state_watch's layout) of the arrays the step passes through unchanged, found while tracing
    # it: their NaN, if any, is the initial state's, tested once after the loop instead of every step
    unchanged: list[int] = []

    def init_or_step(carry, k):
        """k = 0: finitialize's currents at t = 0 (the step's own current code: `init`), k >= 1: step k - 1;
        the sample and the NaN check of the result (k = 0: the state after finitialize)."""
        state, buf, nan_step, nan_index = carry
        old = state, buf
        init = k == 0
        new, d, rhs = fixed_step_with_matrix(plan, params, prepared, state, dt, secondorder, half_dt, init=init)
        if not locate:  # the same array object: the step never touched it (e.g. an ion concentration no one writes)
            unchanged[:] = [j for j, ((_, a), (_, b)) in enumerate(zip(state_watch(plan, new, d),
                                                                      state_watch(plan, state, d))) if a is b]
        if total != nsteps + 1:  # padded steps keep the carry
            new, buf = jax.tree.map(lambda a, b: jnp.where(k <= nsteps, a, b), (new, buf), old)
        # where NaN entered v, before the solve spread it over the tree: a NaN matrix row, or a zero pivot
        # (a node without membrane whose axial conductances are 0) where v became NaN. A select, not a cond
        # (a cond costs a device-to-host round trip per step on GPUs).
        source = ~init & (jnp.isnan(d) | jnp.isnan(rhs) | ((d == 0) & jnp.isnan(new["v"])))
        named = state_watch(plan, new, source)
        hit, index = check([x for j, x in enumerate(named) if j not in unchanged])
        # finitialize's currents (k = 0) solve nothing: a NaN current there (an ion current: no carried array)
        # shows in its matrix row, not yet in v
        hit = hit | (init & jnp.any(jnp.isnan(d) | jnp.isnan(rhs)))
        first = (nan_step < 0) & hit & (k <= nsteps)
        nan_step = jnp.where(first, k, nan_step)
        nan_index = jnp.where(first, index, nan_index)
        return (new, buf, nan_step, nan_index), (new["t"], record(new, params))

    def step_events(carry, k):
        """Events <= t ending step k - 1 (nrn_fixed_step_lastpart; k = 0: finitialize's, then the currents at
        t = 0), the sample, NaN check, thresholds and watches at t and events <= t + dt/2
        (deliver_net_events), then step k (not at k = nsteps: its result is not used)."""
        state, buf, nan_step, nan_index, d, rhs = carry
        old = state, buf, d, rhs
        spec = jax.eval_shape(record, state, params)
        y0 = jnp.zeros(spec.shape, spec.dtype)

        def between(c):
            st, b, _ = c
            st, ion_nan = jax.lax.cond(k == 0, lambda st: _with_currents_nan(plan, params, prepared, st, dt,
                                                                             secondorder),
                                       lambda st: (st, jnp.asarray(False)), st)
            source = jnp.isnan(d) | jnp.isnan(rhs) | ((d == 0) & jnp.isnan(st["v"]))
            hit, index = check(state_watch(plan, st, source))
            hit = hit | ion_nan  # finitialize's currents solve nothing: a NaN ion current is not yet in v
            b = jax.lax.cond(k < nsteps, lambda b: evlib.check_watches(
                ectx, evlib.check_thresholds(events, b, st["v"], st["t"], st["mech"]), st, st["t"]), lambda b: b, b)
            return st, b, (record(st, params), hit, index)

        half = jnp.where(k < nsteps, jnp.asarray([0.0, 0.5 * dt]), jnp.asarray([0.0, -jnp.inf]))
        found = (y0, jnp.asarray(False), jnp.asarray(0, jnp.int32))  # the sample, NaN found, where
        # NEURON records step k - 1's result before delivering the events <= t that end it
        # (fadvance.cpp nrn_fixed_step_lastpart: fixed_record_continuous, then nrn_deliver_events): a
        # NET_RECEIVE that sets v (or a state) there shows in the next sample; at k = 0 the sample follows
        # finitialize's events
        before = record(state, params)
        state, buf, (y, hit, index) = deliveries(ectx, (state, buf, found), half, between)
        y = jnp.where(k == 0, y, before)
        first = (nan_step < 0) & hit & (k <= nsteps)
        nan_step = jnp.where(first, k, nan_step)
        nan_index = jnp.where(first, index, nan_index)
        t = state["t"]
        new, d, rhs = fixed_step_with_matrix(plan, params, prepared, state, dt, secondorder, half_dt)
        d, rhs = jnp.asarray(d, dtype), jnp.asarray(rhs, dtype)
        if total != nsteps + 1:  # padded iterations keep the carry
            new, buf, d, rhs = jax.tree.map(lambda a, b: jnp.where(k <= nsteps, a, b), (new, buf, d, rhs), old)
        return (new, buf, nan_step, nan_index, d, rhs), (t, y)

    ks = jnp.arange(total, dtype=jnp.int32)
    if ectx is not None:
        ones = jnp.ones(state["v"].shape, dtype)  # (d, rhs) of no solve: d = 1 is no zero pivot
        (_, buf, nan_step, nan_index, _, _), (ts, ys) = nested_checkpoint_scan(
            step_events, (state, buf0, none, none, ones, jnp.zeros_like(ones)), ks, lengths)
    else:
        (_, buf, nan_step, nan_index), (ts, ys) = nested_checkpoint_scan(
            init_or_step, (state, buf0, none, none), ks, lengths)
        if unchanged:  # NaN in an array no step changes: there from the start, found at k = 0 by the per-step test
            named = state_watch(plan, state, jnp.zeros(state["v"].shape, bool))
            nan_step = jnp.where(any_nan([named[j] for j in unchanged]), 0, nan_step)
    ts, ys = ts[:nsteps + 1], ys[:nsteps + 1]
    # with the NetCons' NET_RECEIVE arguments at the end ("weights": FOR_NETCONS and NET_RECEIVE change them)
    spikes = None if buf is None else {**{k: buf[k] for k in ("spikes", "nspikes", "overflow", "move_error")},
                                       "weights": buf["args"]}
    return RunResult(ts, ys, nan_step, nan_index, nan_param, watch, tuple(w for w, _ in pnamed), spikes)


def _with_currents_nan(plan: Plan, params: dict, prepared, state: dict, dt: float, secondorder: int):
    """(`_with_currents`, whether an ion variable is NaN in it: its currents, which no carried array holds yet)."""
    new = _with_currents(plan, params, prepared, state, dt, secondorder)
    flags = [jnp.any(jnp.isnan(a)) for ion in new["ions"].values() for a in ion.values()]
    return new, jnp.any(jnp.stack(flags)) if flags else jnp.asarray(False)


def _with_currents(plan: Plan, params: dict, prepared, state: dict, dt: float, secondorder: int) -> dict:
    """The state with the mechanisms' currents at its t (after finitialize's events, as NEURON's finitialize), then
    BEFORE STEP (netcvode.cpp fixed_record_continuous, before the record at t = 0)."""
    _, _, mech_state, ions = mechanism_currents(plan, params, prepared, state, state["t"], dt, secondorder)
    return before_step(plan, params, prepared, {**state, "mech": {**state["mech"], **mech_state}, "ions": ions}, dt,
                       secondorder)


jax.tree_util.register_dataclass(RunResult, data_fields=["t", "values", "nan_step", "nan_index", "nan_param", "spikes"],
                                 meta_fields=["watch", "param_watch"])
