"""NEURON's t after the nrn_state of a mechanism solved by METHOD runge (bridge.nmodl.analysis.runge).

scopmath's runge (runge.hpp) steps the thread's t by `*t += h/2.0` twice and restores it with `*t -= h`;
nocmodl's nrn_state calls it once per instance and runge SOLVE (h: dt, or dt/2 with secondorder), and
fadvance.cpp (ELIMINATE_T_ROUNDOFF 0) never recomputes t from the step count, so every round trip that
does not give t back exactly stays in t. `after_runge` makes the same round trips; once one gives t back
exactly, every later one does (the same arithmetic on the same t), so the loop stops there.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

_UNROLL = 8  # round trips per loop iteration (each masked beyond `count`)


def round_trip(t, half):
    """`((t + h/2) + h/2) - h` with h = 2*half, each addition rounded (not folded by XLA)."""
    up = jax.lax.optimization_barrier(t + half)
    up = jax.lax.optimization_barrier(up + half)
    return jax.lax.optimization_barrier(up - (half + half))


def after_runge(t, half, count: int):
    """t after `count` runge calls with h/2 = `half` [ms] (one per instance and runge SOLVE, in turn)."""
    if count <= 0:
        return t
    t = jnp.asarray(t)
    half = jnp.asarray(half, t.dtype)

    def body(carry):
        k, x, _ = carry
        before = x
        for j in range(_UNROLL):
            before = x
            x = jnp.where(k + j < count, round_trip(x, half), x)
        return k + _UNROLL, x, x != before  # the last round trip moved t: not yet where it stays

    def more(carry):
        k, _, moved = carry
        return (k < count) & moved

    _, t, _ = jax.lax.while_loop(more, body, (jnp.asarray(0), t, jnp.asarray(True)))
    return t


def after_runge_float(t: float, half: float, count: int) -> float:
    """`after_runge` in Python floats (IEEE doubles: the same roundings), for HOC's t between runs."""
    h = half + half
    for _ in range(max(count, 0)):
        back = ((t + half) + half) - h
        if back == t:
            break
        t = back
    return t
