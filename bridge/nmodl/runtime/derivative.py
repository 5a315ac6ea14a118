"""DERIVATIVE blocks at run time: METHOD euler, derivimplicit and runge (imported as `derivative`).

Generated code gives each a function `_deriv_<block>(s, l) -> (s, l)` that sets `l['D_x']`,
the derivative of each STATE x at the current values:

- **euler**: all derivatives from the old states, then `x += dt*x'`;
- **derivimplicit** (scopmath newton_thread.hpp): backward Euler, residual
  `x' - (x - x_old)/dt`, solved by NEURON's Newton iteration (`bridge.nmodl.runtime.newton`:
  Jacobian from central differences, 2% increments, at least 1e-6, rebuilt when a relative
  change exceeded 0.05, until the relative change is <= 1e-6 and the residual <= 1e-8, at
  most 50 iterations). With `secondorder` (NEURON's nrn_state) the step is taken with dt/2
  and the states extrapolated.
- **runge** (scopmath runge.hpp, as nocmodl's nrn_state calls it): the classical fourth-order Runge-Kutta
  step, four evaluations at t, t + h/2, t + h/2, t + h with C's order of operations, then the block once
  more at the result (nocmodl prints `states()` after the call) and t left at `((t + h/2) + h/2) - h`, which
  is not always t (`bridge.solver.runge_time`). With `secondorder` h is dt/2 and the states are extrapolated
  with the derivatives of the last stage before that last evaluation.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from bridge.nmodl.runtime.newton import newton, root


def euler(deriv, s: dict, names: tuple[str, ...]) -> dict:
    """Forward Euler: derivatives at the old states, then x += dt*x' (scopmath euler)."""
    s2, l2 = deriv(dict(s), {})
    out = dict(s2)
    for n in names:
        out[n] = s[n] + s["dt"] * l2[f"D_{n}"]
    return out


def _shape(s: dict, names) -> tuple[int, ...]:
    shapes = [jnp.shape(s[n]) for n in names] + [jnp.shape(s["v"])]
    return jnp.broadcast_shapes(*shapes)


def derivimplicit(deriv, s: dict, names: tuple[str, ...]) -> dict:
    """One backward-Euler step of a DERIVATIVE block by NEURON's Newton iteration."""
    dt_step = s["dt"]
    if s.get("secondorder"):  # NEURON's nrn_state: dt/2, then x += dt*x'
        s = {**s, "dt": dt_step * 0.5}
    shape = _shape(s, names)
    dt = s["dt"]
    x_old = jnp.stack([jnp.broadcast_to(jnp.asarray(s[k], float), shape) for k in names])

    def F(x):
        s2 = dict(s)
        for i, k in enumerate(names):
            s2[k] = x[i]
        _, l2 = deriv(s2, {})
        return jnp.stack([jnp.broadcast_to(l2[f"D_{k}"] - (x[i] - x_old[i]) / dt, shape) for i, k in enumerate(names)])

    x = root(F, x_old, newton)
    s2 = dict(s)
    for i, k in enumerate(names):
        s2[k] = x[i]
    s3, _ = deriv(s2, {})
    out = dict(s3)
    for i, k in enumerate(names):
        out[k] = x[i]
        if s.get("secondorder"):
            out[k] = x[i] + dt * ((x[i] - x_old[i]) / dt)
    return {**out, "dt": dt_step}


def _later(t, step):
    """`t + step` as C's `*t += step`: one rounded addition XLA may not fold into the next
    (docs/numerics.md, section 10; `bridge.solver.step` passes dt/2 traced for the same reason)."""
    return jax.lax.optimization_barrier(t + step)


def runge(deriv, s: dict, names: tuple[str, ...]) -> dict:
    """One step of scopmath's fourth-order Runge-Kutta (runge.hpp `runge`), then the block at the result.

    nocmodl's nrn_state: `runge(_ninits, n, _slist, _dlist, ..., &t, dt, states, &_temp)`, then with
    secondorder `x += dt*Dx` (dt halved before, Dx of runge's last stage), then `states()` again; every
    evaluation starts from what the previous one left in the mechanism's variables, as in C."""
    dt_step = s["dt"]
    if s.get("secondorder"):  # nrn_state: dt *= 0.5 for the whole loop, restored after it
        s = {**s, "dt": dt_step * 0.5}
    h, t = s["dt"], s["t"]
    half = h / 2.0
    s, d = deriv(dict(s), {})  # derivatives at the current time point
    work = {n: s[n] for n in names}  # (*work)[i]: the states at t
    total = {}  # (*work)[n + i]: the solution being summed
    for n in names:
        temp = half * d[f"D_{n}"]  # Eulerian extrapolation for half a step
        s[n] = s[n] + temp
        total[n] = work[n] + temp / 3.0
    t = _later(t, half)
    s, d = deriv({**s, "t": t}, {})
    for n in names:
        temp = h * d[f"D_{n}"]  # backwards Eulerian extrapolation for half a step
        s[n] = work[n] + temp / 2.0
        total[n] = total[n] + temp / 3.0
    s, d = deriv(s, {})
    for n in names:
        temp = h * d[f"D_{n}"]  # the full step by the midpoint rule
        s[n] = work[n] + temp
        total[n] = total[n] + temp / 3.0
    t = _later(t, half)
    s, d = deriv({**s, "t": t}, {})
    for n in names:
        s[n] = total[n] + (h / 6.0) * d[f"D_{n}"]
    s["t"] = _later(t, -h)  # runge restores t as `*t -= h`
    if s.get("secondorder"):
        for n in names:
            s[n] = s[n] + s["dt"] * d[f"D_{n}"]
    s, _ = deriv(s, {})  # nocmodl's `states()` after the call
    return {**s, "dt": dt_step}
