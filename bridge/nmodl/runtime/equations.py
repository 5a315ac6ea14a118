"""LINEAR and NONLINEAR blocks at run time: `~ lhs = rhs` systems solved for their STATEs.

Generated code gives each block a function `_equations_<block>(s) -> (s, l)` that runs the
block and leaves the residuals `lhs - rhs` in `l['_eq_<k>']` (imported as `equations`):

- `linear`: nocmodl solves a LINEAR block once (scopmath simeq): x = x - J^{-1} F(x), with
  J from forward-mode JAX (exact for a linear system);
- `nonlinear`: scopmath newton, as derivimplicit (`bridge.nmodl.runtime.newton`).

Both then run the block once more at the solution, for what it assigns besides its STATEs.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from bridge.nmodl.runtime.newton import newton, root


def _residual(equations, s, names, count):
    shape = jnp.broadcast_shapes(*([jnp.shape(s[n]) for n in names] + [jnp.shape(s["v"])]))

    def F(x):
        s2 = dict(s)
        for i, k in enumerate(names):
            s2[k] = x[i]
        _, local = equations(s2)
        return jnp.stack([jnp.broadcast_to(local[f"_eq_{i}"], shape) for i in range(count)])

    x0 = jnp.stack([jnp.broadcast_to(jnp.asarray(s[k], float), shape) for k in names])
    return F, x0


def _finish(equations, s, names, x):
    s2 = dict(s)
    for i, k in enumerate(names):
        s2[k] = x[i]
    out, _ = equations(s2)
    for i, k in enumerate(names):
        out[k] = x[i]
    return out


def linear(equations, s: dict, names: tuple[str, ...], count: int) -> dict:
    """SOLVE of a LINEAR block: one exact linear solve."""
    F, x0 = _residual(equations, s, names, count)
    r = F(x0)
    cols = [jax.jvp(F, (x0,), (jnp.zeros_like(x0).at[j].set(1.0),))[1] for j in range(len(names))]
    J = jnp.moveaxis(jnp.stack(cols, axis=1), (0, 1), (-2, -1))
    dx = jnp.linalg.solve(J, -jnp.moveaxis(r, 0, -1)[..., None])[..., 0]
    return _finish(equations, s, names, x0 + jnp.moveaxis(dx, -1, 0))


def nonlinear(equations, s: dict, names: tuple[str, ...], count: int) -> dict:
    """SOLVE of a NONLINEAR block: NEURON's Newton iteration."""
    F, x0 = _residual(equations, s, names, count)
    return _finish(equations, s, names, root(F, x0, newton))
