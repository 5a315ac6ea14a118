"""KINETIC schemes at run time: NEURON's sparse and steady state (imported as `sparse`).

Generated code gives each scheme a function `_scheme_<block>(s, x, x_old) -> (s, l)`: the
backward-Euler rows of its STATEs at x (`l['_rhs_<state>']`, nocmodl's _RHS; see
`bridge.nmodl.codegen.kinetic`). The Newton matrix is the derivative of the rows with
respect to the STATEs through the reaction terms only (forward-mode JAX; every other
statement sees the STATEs through `stop_gradient`), which is exactly the matrix nocmodl
writes: rate expressions are held fixed.

- `sparse` (scopmath's sparse_thread): up to 22 Newton steps until the sum of |dx| <= 1e-6
  (summed in the rows' order), one step for a linear scheme, negative states set to 0 for a
  non-linear one; then the block runs once more at the solution for its ASSIGNED variables.
  With `secondorder` (NEURON's nrn_state) the step is taken with dt/2 and the states extrapolated.
  Each step's linear system is solved as scopmath's sparse solver solves it (its pivot order from
  the matrix's structure and its arithmetic: `bridge.nmodl.runtime.scopmath_sparse`); the structure
  is read from the traced Newton matrix (which rows depend on which STATEs through the reactions),
  the rows are in nocmodl's state numbering (`bridge.nmodl.codegen.kinetic`).
- `steadystate`: NEURON's `_ss_sparse_thread`, dt = 1e9 meanwhile.

Gradients of a converged solve come from the implicit function theorem (`newton.root`).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax.extend.core import Literal

from bridge.nmodl.runtime import scopmath_sparse
from bridge.nmodl.runtime.newton import root

CONVERGE = 1e-6
MAXSTEPS = 20
SS_DT = 1e9


def _element(s, name):
    """The value of STATE `name` ("A", or "ca[3]" for an array element) in scope s."""
    if "[" in name:
        base, idx = name[:-1].split("[")
        return jnp.asarray(s[base])[..., int(idx)]
    return s[name]


def _put(s: dict, names, X, transform=lambda v: v) -> None:
    """Write the solved values X (one per name: a stacked array or a sequence) back into scope s
    (arrays restacked)."""
    arrays: dict[str, dict[int, Any]] = {}
    for i, k in enumerate(names):
        if "[" in k:
            base, idx = k[:-1].split("[")
            arrays.setdefault(base, {})[int(idx)] = transform(X[i])
        else:
            s[k] = transform(X[i])
    shape = jnp.shape(X[0])
    for base, elems in arrays.items():
        old = jnp.asarray(s[base])
        size = old.shape[-1]
        cols = [elems[j] if j in elems else jnp.broadcast_to(old[..., j], shape) for j in range(size)]
        s[base] = jnp.stack(cols, axis=-1)


def _shape(s, names):
    return jnp.broadcast_shapes(*([jnp.shape(_element(s, n)) for n in names] + [jnp.shape(s["v"])]))


def _rows(scheme, s, names, X, X_old, neuron_matrix: bool = True):
    """The scheme's rows at X (one per name, a tuple), and its scope. With `neuron_matrix`, statements
    other than reactions see the STATEs through stop_gradient, so d(rows)/dX is the matrix nocmodl builds."""
    s_in = dict(s)
    x = {k: X[i] for i, k in enumerate(names)}
    _put(s_in, names, X, jax.lax.stop_gradient if neuron_matrix else (lambda v: v))
    x_old = {k: X_old[i] for i, k in enumerate(names)}
    s_out, local = scheme(s_in, x, x_old)
    shape = jnp.shape(X[0])
    return tuple(jnp.broadcast_to(local[f"_rhs_{k}"], shape) for k in names), s_out


def _depends(jaxpr, inputs: list[frozenset[int]]) -> list[frozenset[int]]:
    """Which inputs each output of `jaxpr` depends on (an equation's outputs on all its inputs; the
    equations of a nested jaxpr, e.g. a jitted helper's, followed inside)."""
    env = dict(zip(jaxpr.invars, inputs))

    def get(a) -> frozenset[int]:
        return frozenset() if isinstance(a, Literal) else env.get(a, frozenset())

    for eqn in jaxpr.eqns:
        args = [get(a) for a in eqn.invars]
        inner = eqn.params.get("jaxpr")
        inner = getattr(inner, "jaxpr", inner)
        if (hasattr(inner, "eqns") and len(inner.invars) == len(args) and len(inner.outvars) == len(eqn.outvars)):
            outs = _depends(inner, args)
        else:
            outs = [frozenset().union(*args)] * len(eqn.outvars)
        env.update(zip(eqn.outvars, outs))
    return [get(o) for o in jaxpr.outvars]


def _structure(linear, Xs) -> frozenset[tuple[int, int]]:
    """The (row, STATE) elements of the Newton matrix: where a row's tangent depends on a STATE's
    (nocmodl's `_MATELM` calls: every pair of STATEs of a reaction, the STATEs of a CONSERVE row)."""
    jaxpr = jax.make_jaxpr(linear)(*Xs).jaxpr
    deps = _depends(jaxpr, [frozenset([j]) for j in range(len(Xs))])
    return frozenset((i, j) for i, d in enumerate(deps) for j in d)


def _newton_step(scheme, s, names, X, X_old):
    """dx of one Newton step: M dx = rhs with M = -d(rhs)/dx, solved as scopmath's sparse solver does."""
    n = len(names)
    Xs = tuple(X[i] for i in range(n))
    rhs, linear = jax.linearize(lambda *Xs_: _rows(scheme, s, names, Xs_, X_old)[0], *Xs)
    pivots, elements = scopmath_sparse.pivot_order(n, _structure(linear, Xs))
    # All columns at once, each one's arithmetic the jvp's: cols[i][j] = d rhs_i / d X_j.
    eye = jnp.eye(n, dtype=X.dtype).reshape((n, n) + (1,) * (X.ndim - 1))
    cols = jax.vmap(linear)(*(jnp.broadcast_to(eye[:, j], (n,) + X.shape[1:]) for j in range(n)))
    return scopmath_sparse.matsol(-jnp.stack(cols), jnp.stack(rhs), pivots, elements)


def _iterate(scheme, s, names, X, X_old, clamp: bool, single: bool):
    """sparse_thread's loop over instances: until sum|dx| <= 1e-6 (or one step).

    One step is plain JAX (differentiable as it is); the loop runs inside
    `solvers.root`, so gradients come from the implicit function theorem."""
    if single:
        Xn = X + _newton_step(scheme, s, names, X, X_old)
        return jnp.where(Xn < 0.0, 0.0, Xn) if clamp else Xn
    F = lambda X_: jnp.stack(_rows(scheme, s, names, X_, X_old, neuron_matrix=False)[0])  # noqa: E731
    return root(F, X, lambda _f, X0: _loop(scheme, s, names, X0, X_old, clamp))


def _loop(scheme, s, names, X, X_old, clamp: bool):
    shape = X.shape[1:]

    def body(carry):
        X, j, active = carry
        dx = _newton_step(scheme, s, names, X, X_old)
        Xn = X + dx
        if clamp:
            Xn = jnp.where(Xn < 0.0, 0.0, Xn)
        err = jnp.abs(dx[0])
        for i in range(1, dx.shape[0]):  # sparse_thread's sum, row by row
            err = err + jnp.abs(dx[i])
        X = jnp.where(active, Xn, X)
        j = j + 1
        still = active & (err > CONVERGE) & (j <= MAXSTEPS + 1)  # sparse_thread stops after its 22nd step
        return X, j, still

    X, _, _ = jax.lax.while_loop(lambda c: jnp.any(c[2]), body, (X, 0, jnp.ones(shape, bool)))
    return X


def _finish(scheme, s, names, X, X_old):
    _, s_out = _rows(scheme, s, names, X, X_old)
    out = dict(s_out)
    _put(out, names, X)
    return out


def _start(s, names):
    shape = _shape(s, names)
    return jnp.stack([jnp.broadcast_to(jnp.asarray(_element(s, k), float), shape) for k in names])


def sparse(scheme, s: dict, names: tuple[str, ...], linear: bool) -> dict:
    """SOLVE ... METHOD sparse: one step of dt (s['dt']).

    With secondorder (NEURON's nrn_state): the step is taken with dt/2 and the
    states extrapolated, `x += dt*(x - x_old)/dt`.
    """
    dt = s["dt"]
    if s.get("secondorder"):
        s = {**s, "dt": dt * 0.5}
    X_old = _start(s, names)
    X = _iterate(scheme, s, names, X_old, X_old, clamp=not linear, single=linear)
    out = _finish(scheme, s, names, X, X_old)
    if s.get("secondorder"):
        h = s["dt"]
        _put(out, names, X + h * ((X - X_old) / h))
    return {**out, "dt": dt}


def steadystate(scheme, s: dict, names: tuple[str, ...], linear: bool) -> dict:
    """SOLVE ... STEADYSTATE sparse, as NEURON's `_ss_sparse_thread` (dt = 1e9 meanwhile)."""
    dt = s["dt"]
    s = {**s, "dt": SS_DT}
    X = _start(s, names)
    if linear:
        X_old = X
        X = _iterate(scheme, s, names, X, X_old, clamp=True, single=False)
        return _steady_out(scheme, s, names, X, X_old, dt)

    def attempt(_, carry):  # one of _ss_sparse_thread's 7 tries, traced once (a fori_loop, not unrolled)
        X, X_old, done = carry
        X_old = jnp.where(done, X_old, X)
        step = _iterate(scheme, s, names, X, X, clamp=False, single=True)
        X = jnp.where(done, X, step)
        bad = X < -1e-6
        ok = ~jnp.any(bad, axis=0)
        X = jnp.where(~done & bad, 0.0, X)
        full = _iterate(scheme, s, names, X, X, clamp=True, single=False)
        X_old = jnp.where(~done & ok, X, X_old)
        X = jnp.where(~done & ok, full, X)
        return X, X_old, done | ok

    X, X_old, _ = jax.lax.fori_loop(0, 7, attempt, (X, X, jnp.zeros(X.shape[1:], bool)))
    return _steady_out(scheme, s, names, X, X_old, dt)


def _steady_out(scheme, s: dict, names, X, X_old, dt) -> dict:
    """The scope after a steady state. With secondorder, nocmodl follows every SOLVE, this one too, with
    `x += dt*Dx` (nocmodl deriv.cpp `solv_diffeq`), where Dx = (x - x_start)/1e9 of the last `sparse_thread` call
    (its x_start: X_old) and dt is the model's again: x moves by dt/1e9 times its change in that call."""
    out = _finish(scheme, s, names, X, X_old)
    if s.get("secondorder"):
        _put(out, names, X + dt * ((X - X_old) / SS_DT))
    return {**out, "dt": dt}
