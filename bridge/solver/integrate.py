"""Run NEURON's fixed-step loop with `lax.scan`: finitialize, steps, recordings like Vector.record.

`integrate` is a pure function of the parameter pytree, so `jit`, `vmap` and
`grad` apply. Samples are taken at t=0 (after finitialize) and after every
step, with NEURON's accumulated float t. Long runs can use a nested,
checkpointed scan so that reverse-mode memory grows like the n-th root of the
number of steps instead of linearly. The first NaN in v (step and node) is
tracked in the loop and returned, so the caller can report it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import jax
import jax.numpy as jnp

from bridge.solver.plan import Plan
from bridge.solver.step import finitialize, fixed_step_with_matrix, prepare


def step_count(tstop: float, dt: float) -> int:
    """How many fixed steps `continuerun(tstop)` takes: while t < tstop - dt/2, t += dt/2 twice (float t)."""
    t, n = 0.0, 0
    while t < tstop - dt / 2:
        t += 0.5 * dt
        t += 0.5 * dt
        n += 1
    return n


def checkpoint_lengths(nsteps: int, levels: int) -> tuple[int, ...]:
    """Nested scan lengths whose product covers nsteps: `levels` factors of about nsteps**(1/levels)."""
    if levels <= 1:
        return (nsteps,)
    base = max(1, math.ceil(nsteps ** (1.0 / levels)))
    lengths = [base] * (levels - 1)
    inner = math.prod(lengths)
    lengths.insert(0, max(1, math.ceil(nsteps / inner)))  # outermost first
    return tuple(lengths)


def nested_checkpoint_scan(f: Callable, carry, xs, lengths: Sequence[int]):
    """`lax.scan(f, carry, xs)` as nested scans, each inner level wrapped in `jax.checkpoint`.

    `xs` has leading size prod(lengths). Reverse mode stores carries at each
    level and recomputes the inner ones, so memory is O(sum(lengths)).
    """
    if len(lengths) == 1:
        return jax.lax.scan(f, carry, xs)
    outer, rest = lengths[0], lengths[1:]
    xs = jax.tree.map(lambda x: x.reshape((outer, -1) + x.shape[1:]), xs)

    @jax.checkpoint
    def body(c, x):
        return nested_checkpoint_scan(f, c, x, rest)

    carry, ys = jax.lax.scan(body, carry, xs)
    return carry, jax.tree.map(lambda y: y.reshape((-1,) + y.shape[2:]), ys)


@dataclass(frozen=True)
class RunResult:
    """Raw output of `integrate`: sample times [ms], recorded values, first NaN (step, node) or (-1, -1)."""

    t: jax.Array
    values: jax.Array
    nan_step: jax.Array
    nan_node: jax.Array


def integrate(plan: Plan, params: dict, *, dt: float, nsteps: int, secondorder: int,
              record: Callable[[dict, dict], jax.Array], dtype=jnp.float64, checkpoint: int | None = None):
    """finitialize then `nsteps` fixed steps; returns (t, values, nan_step, nan_node).

    `record(state, params)` gives the values sampled at one time (a 1-D array).
    `checkpoint` = number of nested scan levels (None or 1: a plain scan).
    """
    params = jax.tree.map(lambda x: jnp.asarray(x, dtype), params)
    prepared = prepare(plan, params, dt, secondorder)
    state = finitialize(plan, params, prepared, dt, secondorder, dtype)
    state = {**state, "t": jnp.zeros((), jnp.float64)}  # NEURON's t is a double whatever the state dtype
    y0 = record(state, params)
    none = jnp.asarray(-1, jnp.int32)
    lengths = checkpoint_lengths(nsteps, checkpoint or 1)
    total = math.prod(lengths)
    # A traced (not constant) dt/2, so XLA cannot fold NEURON's two half-step roundings of t into one.
    half_dt = jax.lax.optimization_barrier(jnp.asarray(0.5 * dt, jnp.float64))

    def step(carry, k):
        state, nan_step, nan_node = carry
        new, d, rhs = fixed_step_with_matrix(plan, params, prepared, state, dt, secondorder, half_dt)
        if total != nsteps:  # padded steps keep the carry
            new = jax.tree.map(lambda a, b: jnp.where(k < nsteps, a, b), new, state)
        first = (nan_step < 0) & jnp.isnan(jnp.sum(new["v"])) & (k < nsteps)  # one reduction per step

        # where the NaN entered the matrix, before the solve spread it over the tree (a select, not a
        # cond: a cond costs a device-to-host round trip per step on GPUs)
        source = jnp.isnan(d) | jnp.isnan(rhs)
        node = jnp.where(source.any(), jnp.argmax(source), jnp.argmax(jnp.isnan(new["v"]))).astype(jnp.int32)
        nan_step = jnp.where(first, k + 1, nan_step)
        nan_node = jnp.where(first, node, nan_node)
        return (new, nan_step, nan_node), (new["t"], record(new, params))

    ks = jnp.arange(total, dtype=jnp.int32)
    (_, nan_step, nan_node), (ts, ys) = nested_checkpoint_scan(step, (state, none, none), ks, lengths)
    ts = jnp.concatenate([state["t"][None], ts[:nsteps]])
    ys = jnp.concatenate([y0[None], ys[:nsteps]])
    return RunResult(ts, ys, nan_step, nan_node)


jax.tree_util.register_dataclass(RunResult, data_fields=["t", "values", "nan_step", "nan_node"], meta_fields=[])
