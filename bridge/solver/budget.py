"""How many steps and how much recording memory a run asks for, checked against `Limits` first.

A model file can ask for `tstop = 1e12` or a tiny dt. The step count (NEURON's
`continuerun` loop: while t < tstop - dt/2, t += dt/2 twice, in float) is estimated
before it is counted, and the recording memory (samples x probes, t included, times
the batch under `jax.vmap`) is checked before the scan is built, so such a request
is a `BridgeError` naming tstop, dt, the step count and the limit within a moment.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from jax.custom_batching import custom_vmap

from bridge.errors import BridgeError
from bridge.limits import Limits

_CHUNK = 1 << 16  # steps counted per numpy pass


def step_count(tstop: float, dt: float) -> int:
    """How many fixed steps `continuerun(tstop)` takes: while t < tstop - dt/2, t += dt/2 twice
    (float t, summed in order as NEURON sums it; `np.add.accumulate` adds sequentially)."""
    half, limit = 0.5 * dt, tstop - dt / 2
    t, n = 0.0, 0
    while t < limit:
        halves = np.full(2 * _CHUNK + 1, half)
        halves[0] = t
        ends = np.add.accumulate(halves)[2::2]  # t after each step of this chunk
        before = np.concatenate([[t], ends[:-1]])  # t when the loop tests whether to take each step
        stop = np.flatnonzero(before >= limit)
        if len(stop):
            return n + int(stop[0])
        n += _CHUNK
        t = float(ends[-1])
    return n


def checked_step_count(tstop: float, dt: float, limits: Limits) -> int:
    """`step_count(tstop, dt)`, refused before counting when it would pass `limits.max_steps`."""
    estimate = tstop / dt if dt > 0 else math.inf
    if not estimate <= limits.max_steps + 2 and not math.isnan(estimate):
        raise BridgeError(_too_many(tstop, dt, estimate, limits))
    n = step_count(tstop, dt)
    if n > limits.max_steps:
        raise BridgeError(_too_many(tstop, dt, n, limits))
    return n


def _too_many(tstop: float, dt: float, steps: float, limits: Limits) -> str:
    return (f"tstop = {tstop:g} ms at dt = {dt:g} ms is {steps:.4g} time steps, more than "
            f"Limits.max_steps = {limits.max_steps}; {limits.raise_hint('max_steps')}")


def recording_bytes(nsteps: int, nprobes: int, itemsize: int, batch: int = 1) -> int:
    """[bytes] of a run's recordings: (nsteps + 1) samples of the probes and of t (float64), per member."""
    return (nsteps + 1) * (nprobes * itemsize + 8) * batch


def check_recording(nsteps: int, nprobes: int, itemsize: int, batch: int, limits: Limits, tstop: float,
                    dt: float) -> None:
    """Refuse a run whose recordings would pass `limits.max_memory`."""
    need = recording_bytes(nsteps, nprobes, itemsize, batch)
    if need > limits.max_memory:
        members = f" for a batch of {batch}" if batch > 1 else ""
        raise BridgeError(f"recording {nprobes} probe(s) and t over {nsteps + 1} samples (tstop = {tstop:g} ms, "
                          f"dt = {dt:g} ms, {nsteps} steps){members} needs {need / 2**30:.3g} GiB, more than "
                          f"Limits.max_memory = {limits.max_memory / 2**30:.3g} GiB; {limits.raise_hint('max_memory')}")


def batch_guard(check: Callable[[int], None], batch: int = 1) -> Callable:
    """An identity function that calls `check(batch size)` while `jax.vmap` traces it: once per vmap
    level around it, with the product of their sizes (nothing at run time, nothing without vmap).
    Give it a value that does not need a gradient (`lax.stop_gradient`) and discard the result."""

    @custom_vmap
    def guard(x):
        return x

    @guard.def_vmap
    def rule(axis_size, in_batched, x):
        check(batch * axis_size)
        return batch_guard(check, batch * axis_size)(x), in_batched[0]

    return guard
