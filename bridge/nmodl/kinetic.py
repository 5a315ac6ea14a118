"""KINETIC blocks: reaction schemes solved by backward Euler and Newton, as NEURON's sparse.

nocmodl (kinetic.cpp) turns a KINETIC block into a function that fills the
right-hand side and matrix of one Newton step of backward Euler; scopmath's
`sparse_thread` iterates it. bridge generates `_<name>_scheme(s, x, x_old)`,
which returns the right-hand side rows (`l['_rhs_<state>']`):

- every STATE row starts as `-(1/dt)*(x - x_old)`, times its COMPARTMENT volume;
- `~ A + B <-> C (kf, kb)`: `f_flux = kf*B*A`, `b_flux = kb*C` (reactants
  multiplied in nocmodl's order), rows of A and B get `-(f_flux - b_flux)`,
  C's `+(f_flux - b_flux)`; `~ A << (flux)` adds the flux to A's row;
- `CONSERVE A + B = total` replaces the row of its last STATE not yet used by
  `total - sum(coef*volume*state)`.

The matrix is the derivative of the rows with respect to the STATEs through the
reaction terms only (forward-mode JAX; every other statement sees the STATEs
through `stop_gradient`), which is exactly the matrix nocmodl writes: rate
expressions are held fixed. Run time (`sparse`): up to 21 Newton steps until
the sum of |dx| <= 1e-6, one step for a linear scheme, negative states set to
0 for a non-linear one; then the block runs once more at the solution for
its ASSIGNED variables. `steadystate`: NEURON's `_ss_sparse_thread`, dt = 1e9.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from bridge.errors import UnsupportedFeature
from bridge.nmodl import ast

CONVERGE = 1e-6
MAXSTEPS = 20
SS_DT = 1e9


def function_name(block: str) -> str:
    return f"_{block}"


def scheme_states(block: ast.KineticBlock, info) -> tuple[str, ...]:
    """The STATEs the scheme solves for, in STATE declaration order."""
    used = set()
    for node in ast.walk(block):
        if isinstance(node, ast.Reactant):
            used.add(node.name)
    if block.solvefor:
        used &= set(block.solvefor)
    order = [d.name for d in info.program.states]
    return tuple(n for n in order if n in used)


def is_linear(block: ast.KineticBlock, states: tuple[str, ...]) -> bool:
    """nocmodl's test: every reaction side has at most one STATE, with coefficient 1."""
    for node in ast.walk(block):
        if isinstance(node, ast.Reaction):
            for side in (node.lhs, node.rhs):
                terms = [r for r in side if r.name in states]
                if sum(r.coefficient for r in terms) > 1:
                    return False
    return True


def kinetic_def(block: ast.KineticBlock, info, em, counter) -> None:
    """Emit the scheme function and its advance / steady-state entry points."""
    from bridge.nmodl.codegen import Context, expr, statements

    states = scheme_states(block, info)
    if not states:
        raise UnsupportedFeature(f"KINETIC {block.name} without reactions on STATEs", info.where(block), info.source)
    for node in ast.walk(block):
        if isinstance(node, ast.Compartment) and node.index:
            raise UnsupportedFeature(f"COMPARTMENT {node.index}, ... over an array index in KINETIC {block.name}",
                                     info.where(node), info.source)
        if isinstance(node, ast.Reactant) and node.index is not None:
            raise UnsupportedFeature(f"array STATE {node.name}[...] in a reaction", info.where(node), info.source)
    linear = is_linear(block, states)
    fn = function_name(block.name)
    em.line(f"def {fn}_scheme(s, x, x_old):", block)
    em.indent()
    em.line(f'"""KINETIC {block.name}: backward-Euler rows of {", ".join(states)} at x (NEURON\'s _RHS)."""')
    em.line("l = {'f_flux': 0.0, 'b_flux': 0.0}")
    em.line("dt1 = 1.0 / s['dt']")
    for k in states:
        em.line(f"l['_rhs_{k}'] = -dt1 * (x[{k!r}] - x_old[{k!r}])")
    ctx = Context(info, {"f_flux", "b_flux"}, None, "kinetic", "error", counter=counter)
    ctx.kinetic_states = states  # type: ignore[attr-defined]
    volumes: dict[str, str] = {}
    for node in block.body:
        if isinstance(node, ast.Compartment):
            vol = expr(node.volume, ctx)
            for n in node.names:
                volumes[n] = vol
                if n in states:
                    em.line(f"l['_rhs_{n}'] = l['_rhs_{n}'] * ({vol})", node)
    ctx.kinetic_volumes = volumes  # type: ignore[attr-defined]
    statements([st for st in block.body if not isinstance(st, (ast.Compartment, ast.Conserve))], ctx, em)
    used_rows: set[str] = set()
    for node in block.body:
        if isinstance(node, ast.Conserve):
            _conserve(node, ctx, em, states, volumes, used_rows)
    em.line("return s, l")
    em.dedent()
    em.line()
    em.line(f"def {fn}_advance(s):", block)
    em.indent()
    em.line(f'"""SOLVE {block.name} METHOD sparse: one backward-Euler step of dt."""')
    em.line(f"return kinetic.sparse({fn}_scheme, s, {states!r}, linear={linear!r})")
    em.dedent()
    em.line()
    em.line(f"def {fn}_steadystate(s):", block)
    em.indent()
    em.line(f'"""SOLVE {block.name} STEADYSTATE sparse (NEURON: backward Euler with dt = 1e9)."""')
    em.line(f"return kinetic.steadystate({fn}_scheme, s, {states!r}, linear={linear!r})")
    em.dedent()
    em.line()


def _product(rate: str, side, states) -> str:
    terms = [rate]
    for r in reversed(side):
        ref = f"x[{r.name!r}]" if r.name in states else None
        for _ in range(r.coefficient):
            terms.append(ref if ref else "@" + r.name)
    return " * ".join(terms)


def kinetic_statement(stmt, ctx, em) -> None:
    """A reaction inside the scheme function (COMPARTMENT and CONSERVE are placed by kinetic_def)."""
    from bridge.nmodl.codegen import _flush, expr, name_ref

    states = ctx.kinetic_states
    if isinstance(stmt, (ast.Compartment, ast.Conserve)):
        return
    if stmt.op == "<<":
        (target,) = stmt.lhs
        if target.name not in states:
            raise ctx.error(UnsupportedFeature, f"flux ~ {target.name} << (...) on a non-STATE", stmt)
        flux = expr(stmt.forward, ctx)
        _flush(ctx, em, stmt)
        em.line("l['f_flux'] = 0.0", stmt)
        em.line(f"l['b_flux'] = {flux}")
        em.line(f"l['_rhs_{target.name}'] = l['_rhs_{target.name}'] + l['b_flux']")
        return
    if stmt.op not in ("<->", "->"):
        raise ctx.error(UnsupportedFeature, f"reaction operator {stmt.op}", stmt)
    kf = expr(stmt.forward, ctx)
    kb = expr(stmt.backward, ctx) if stmt.backward is not None else "0.0"
    _flush(ctx, em, stmt)

    def resolve(text: str) -> str:
        return " * ".join(name_ref(t[1:], ctx, stmt) if t.startswith("@") else t for t in text.split(" * "))

    em.line(f"l['f_flux'] = {resolve(_product(f'({kf})', stmt.lhs, states))}", stmt)
    em.line(f"l['b_flux'] = {resolve(_product(f'({kb})', stmt.rhs, states))}")
    for r in reversed(stmt.lhs):
        if r.name in states:
            c = "" if r.coefficient == 1 else f"{float(r.coefficient)!r} * "
            em.line(f"l['_rhs_{r.name}'] = l['_rhs_{r.name}'] - {c}(l['f_flux'] - l['b_flux'])")
    for r in reversed(stmt.rhs):
        if r.name in states:
            c = "" if r.coefficient == 1 else f"{float(r.coefficient)!r} * "
            em.line(f"l['_rhs_{r.name}'] = l['_rhs_{r.name}'] + {c}(l['f_flux'] - l['b_flux'])")


def _conserve(node: ast.Conserve, ctx, em, states, volumes, used_rows) -> None:
    from bridge.nmodl.codegen import _flush, expr

    terms = [r for r in node.lhs if r.name in states]
    if not terms:
        raise ctx.error(UnsupportedFeature, "CONSERVE without STATEs of this scheme", node)
    row = next((r.name for r in reversed(terms) if r.name not in used_rows), None)
    if row is None:
        raise ctx.error(UnsupportedFeature, "more CONSERVE statements than STATEs", node)
    used_rows.add(row)
    total = expr(node.rhs, ctx)
    _flush(ctx, em, node)
    em.line(f"l['_rhs_{row}'] = {total}", node)
    for r in reversed(terms):
        vol = volumes.get(r.name)
        coef = "" if r.coefficient == 1 else f"{float(r.coefficient)!r} * "
        em.line(f"l['_rhs_{row}'] = l['_rhs_{row}'] - {coef}x[{r.name!r}]{f' * ({vol})' if vol else ''}")


# --------------------------------------------------------------------------- run time


def _shape(s, names):
    return jnp.broadcast_shapes(*([jnp.shape(s[n]) for n in names] + [jnp.shape(s["v"])]))


def _rows(scheme, s, names, X, X_old):
    s_in = dict(s)
    x = {k: X[i] for i, k in enumerate(names)}
    for k in names:
        s_in[k] = jax.lax.stop_gradient(x[k])
    x_old = {k: X_old[i] for i, k in enumerate(names)}
    s_out, l = scheme(s_in, x, x_old)
    shape = X.shape[1:]
    return jnp.stack([jnp.broadcast_to(l[f"_rhs_{k}"], shape) for k in names]), s_out


def _newton_step(scheme, s, names, X, X_old):
    """dx of one Newton step: M dx = rhs with M = -d(rhs)/dx."""
    n = len(names)
    rhs_fn = lambda X_: _rows(scheme, s, names, X_, X_old)[0]  # noqa: E731
    rhs = rhs_fn(X)
    cols = []
    for j in range(n):
        tangent = jnp.zeros_like(X).at[j].set(1.0)
        cols.append(jax.jvp(rhs_fn, (X,), (tangent,))[1])
    M = -jnp.stack(cols, axis=1)  # M[i, j, ...]
    Mm = jnp.moveaxis(M, (0, 1), (-2, -1))
    r = jnp.moveaxis(rhs, 0, -1)[..., None]
    return jnp.moveaxis(jnp.linalg.solve(Mm, r)[..., 0], -1, 0)


def _iterate(scheme, s, names, X, X_old, clamp: bool, single: bool):
    """sparse_thread's loop over instances: until sum|dx| <= 1e-6 (or one step)."""
    shape = X.shape[1:]

    def body(carry):
        X, j, active = carry
        dx = _newton_step(scheme, s, names, X, X_old)
        Xn = X + dx
        if clamp:
            Xn = jnp.where(Xn < 0.0, 0.0, Xn)
        err = jnp.sum(jnp.abs(dx), axis=0)
        X = jnp.where(active, Xn, X)
        j = j + 1
        still = active & (err > CONVERGE) & (j <= MAXSTEPS)
        if single:
            still = jnp.zeros_like(active)
        return X, j, still

    X, _, _ = jax.lax.while_loop(lambda c: jnp.any(c[2]), body, (X, 0, jnp.ones(shape, bool)))
    return X


def _finish(scheme, s, names, X, X_old):
    _, s_out = _rows(scheme, s, names, X, X_old)
    out = dict(s_out)
    for i, k in enumerate(names):
        out[k] = X[i]
    return out


def _start(s, names):
    shape = _shape(s, names)
    return jnp.stack([jnp.broadcast_to(jnp.asarray(s[k], float), shape) for k in names])


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
        for i, k in enumerate(names):
            out[k] = out[k] + h * ((X[i] - X_old[i]) / h)
    return {**out, "dt": dt}


def steadystate(scheme, s: dict, names: tuple[str, ...], linear: bool) -> dict:
    """SOLVE ... STEADYSTATE sparse, as NEURON's `_ss_sparse_thread` (dt = 1e9 meanwhile)."""
    dt = s["dt"]
    s = {**s, "dt": SS_DT}
    X = _start(s, names)
    if linear:
        X_old = X
        X = _iterate(scheme, s, names, X, X_old, clamp=True, single=False)
        out = _finish(scheme, s, names, X, X_old)
        return {**out, "dt": dt}
    done = jnp.zeros(X.shape[1:], bool)
    X_old = X
    for _ in range(7):
        X_old = jnp.where(done, X_old, X)
        step = _iterate(scheme, s, names, X, X, clamp=False, single=True)
        X = jnp.where(done, X, step)
        bad = X < -1e-6
        ok = ~jnp.any(bad, axis=0)
        X = jnp.where(~done & bad, 0.0, X)
        full = _iterate(scheme, s, names, X, X, clamp=True, single=False)
        X_old = jnp.where(~done & ok, X, X_old)
        X = jnp.where(~done & ok, full, X)
        done = done | ok
    out = _finish(scheme, s, names, X, X_old)
    return {**out, "dt": dt}
