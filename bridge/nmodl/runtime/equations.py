"""LINEAR and NONLINEAR blocks at run time: `~ lhs = rhs` systems solved for their STATEs.

Generated code gives each block a function `_equations_<block>(s) -> (s, l)` that runs the
block and leaves the residuals `lhs - rhs` in `l['_eq_<k>']` (imported as `equations`):

- `linear`: for a LINEAR block the function fills nocmodl's augmented matrix instead
  (`l['_a_<k>_<j>']`, `l['_b_<k>']`; `bridge.nmodl.codegen.linear`), solved once with scopmath
  simeq (`bridge.nmodl.runtime.simeq`); what the block assigns besides its STATEs keeps the
  values it had before the solve, as in nocmodl;
- `nonlinear`: scopmath newton, as derivimplicit (`bridge.nmodl.runtime.newton`), then the
  block runs once more at the solution, for what it assigns besides its STATEs.
"""

from __future__ import annotations

import jax.numpy as jnp

from bridge.nmodl.runtime.newton import newton, root
from bridge.nmodl.runtime.simeq import simeq


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
    """SOLVE of a LINEAR block: nocmodl's matrix, solved once by scopmath simeq."""
    out, local = equations(dict(s))
    n = len(names)
    rows = [[local[f"_a_{k}_{j}"] for j in range(n)] + [local[f"_b_{k}"]] for k in range(count)]
    shape = jnp.broadcast_shapes(*[jnp.shape(s[k]) for k in names], jnp.shape(s["v"]))
    for k, x in zip(names, simeq(rows)):
        out[k] = jnp.broadcast_to(x, jnp.broadcast_shapes(shape, jnp.shape(x)))
    return out


def nonlinear(equations, s: dict, names: tuple[str, ...], count: int) -> dict:
    """SOLVE of a NONLINEAR block: NEURON's Newton iteration."""
    F, x0 = _residual(equations, s, names, count)
    return _finish(equations, s, names, root(F, x0, newton))
