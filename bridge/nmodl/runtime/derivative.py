"""DERIVATIVE blocks at run time: METHOD euler and derivimplicit (imported as `derivative`).

Generated code gives each a function `_deriv_<block>(s, l) -> (s, l)` that sets `l['D_x']`,
the derivative of each STATE x at the current values:

- **euler**: all derivatives from the old states, then `x += dt*x'`;
- **derivimplicit** (scopmath newton_thread.hpp): backward Euler, residual
  `x' - (x - x_old)/dt`, solved by NEURON's Newton iteration (`bridge.nmodl.runtime.newton`:
  Jacobian from central differences, 2% increments, at least 1e-6, rebuilt when a relative
  change exceeded 0.05, until the relative change is <= 1e-6 and the residual <= 1e-8, at
  most 50 iterations). With `secondorder` (NEURON's nrn_state) the step is taken with dt/2
  and the states extrapolated.
"""

from __future__ import annotations

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
