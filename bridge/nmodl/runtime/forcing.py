"""scopmath's `stepforce(t, "file")` at run time (src/scopmath/force.cpp stepforce).

The value is y[i] of the point at or below t, without interpolation: i is the first index in
0..n-2 with t < x[i+1], else n-1. t below x[0] - 0.1*(x[1] - x[0]) or above
x[n-1] + 0.1*(x[n-1] - x[n-2]) is NEURON's abort_run(RANGE), an error that stops the run; bridge
gives NaN there, which stops bridge's run at that step with the variable named. The points are
the C floats NEURON read (`bridge.nmodl.syntax.forcing`), x strictly ascending.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp


def stepforce(t: Any, xs: tuple[float, ...], ys: tuple[float, ...]) -> Any:
    """The forcing value at `t` (a scalar or per-instance array) of the points (xs, ys)."""
    x = jnp.asarray(xs, dtype=jnp.float64)
    y = jnp.asarray(ys, dtype=jnp.float64)
    lower = xs[0] - 0.1 * (xs[1] - xs[0])
    upper = xs[-1] + 0.1 * (xs[-1] - xs[-2])
    t = jnp.asarray(t)
    i = jnp.searchsorted(x[1:], t, side="right")  # how many of x[1..n-1] are <= t: force.cpp's loop index
    inside = (t >= lower) & (t <= upper)  # NaN t is outside, as in C
    return jnp.where(inside, y[jnp.minimum(i, len(xs) - 1)], jnp.nan)
