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

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.nmodl import ast
from bridge.nmodl.pytext import docstring, number, string

CONVERGE = 1e-6
MAXSTEPS = 20
SS_DT = 1e9


def scheme_states(block: ast.KineticBlock, info) -> tuple[str, ...]:
    """The STATEs the scheme solves for, in STATE declaration order (array STATEs as "ca[0]", "ca[1]", ...)."""
    used = set()
    for node in ast.walk(block):
        if isinstance(node, ast.Reactant):
            used.add(node.name)
    if block.solvefor:
        used &= set(block.solvefor)
    out = []
    for d in info.program.states:
        if d.name in used:
            size = info.variables[d.name].size if d.name in info.variables else None
            out += [f"{d.name}[{i}]" for i in range(size)] if size else [d.name]
    return tuple(out)


def _base(name: str) -> str:
    return name.split("[", 1)[0]


def is_linear(block: ast.KineticBlock, states: tuple[str, ...]) -> bool:
    """nocmodl's test: every reaction side has at most one STATE, with coefficient 1."""
    bases = {_base(k) for k in states}
    for node in ast.walk(block):
        if isinstance(node, ast.Reaction):
            for side in (node.lhs, node.rhs):
                terms = [r for r in side if r.name in bases]
                if sum(r.coefficient for r in terms) > 1:
                    return False
    return True


def kinetic_def(block: ast.KineticBlock, info, em, counter) -> None:
    """Emit the scheme function and its advance / steady-state entry points."""
    from bridge.nmodl.codegen import Context, expr, helper_name, statements

    states = scheme_states(block, info)
    if not states:
        raise UnsupportedFeature(f"KINETIC {block.name} without reactions on STATEs", info.where(block), info.source)
    limit = em.limits.max_kinetic_states
    if len(states) > limit:  # the Newton matrix is built by len(states) passes over the scheme
        raise BridgeError(f"KINETIC {block.name} has {len(states)} STATEs, more than Limits.max_kinetic_states = "
                          f"{limit}; {em.limits.raise_hint('max_kinetic_states')}", info.where(block), info.source)
    sizes = {n: v.size for n, v in info.variables.items() if v.kind == "state" and v.size}
    linear = is_linear(block, states)
    scheme = helper_name("scheme", block.name)
    em.line(f"def {scheme}(s, x, x_old):", block)
    em.indent()
    em.line(f'"""KINETIC {docstring(block.name)}: backward-Euler rows of its STATEs at x (NEURON\'s _RHS)."""')
    em.line("l = {'f_flux': 0.0, 'b_flux': 0.0}")
    em.line("dt1 = 1.0 / s['dt']")
    em.line(f"for k in {states!r}:")
    em.line("    l['_rhs_' + k] = -dt1 * (x[k] - x_old[k])")
    ctx = Context(info, {"f_flux", "b_flux"}, None, "kinetic", "error", counter=counter)
    ctx.kinetic_states = states
    bases = {_base(k) for k in states}
    volumes: dict[str, str] = {}
    for node in block.body:
        if isinstance(node, ast.Compartment):
            if node.index:
                ctx.locals.add(node.index)
            vol = expr(node.volume, ctx)
            for n in dict.fromkeys(node.names):  # a name listed twice is scaled once, as nocmodl does
                if n not in bases:
                    continue
                if node.index:
                    if n not in sizes:
                        raise UnsupportedFeature(f"COMPARTMENT {node.index}, ... {{{n}}}: {n} is not an array STATE",
                                                 info.where(node), info.source)
                    row = f"l[rt.key({string('_rhs_' + n)}, _c)]"
                    em.line(f"for _c in range({int(sizes[n])}):", node)
                    em.line(f"    l[{string(node.index)}] = _c")
                    em.line(f"    {row} = {row} * ({vol})")
                elif n in sizes:
                    row = f"l[rt.key({string('_rhs_' + n)}, _c)]"
                    em.line(f"for _c in range({int(sizes[n])}):", node)
                    em.line(f"    {row} = {row} * ({vol})")
                else:
                    volumes[n] = vol
                    row = f"l[{string('_rhs_' + n)}]"
                    em.line(f"{row} = {row} * ({vol})", node)
    ctx.kinetic_volumes = volumes
    statements([st for st in block.body if not isinstance(st, (ast.Compartment, ast.Conserve))], ctx, em)
    used_rows: set[str] = set()
    for node in block.body:
        if isinstance(node, ast.Conserve):
            _conserve(node, ctx, em, states, volumes, used_rows)
    em.line("return s, l")
    em.dedent()
    em.line()
    em.line(f"def {helper_name('advance', block.name)}(s):", block)
    em.indent()
    em.line(f'"""SOLVE {docstring(block.name)} METHOD sparse: one backward-Euler step of dt."""')
    em.line(f"return kinetic.sparse({scheme}, s, {states!r}, linear={linear!r})")
    em.dedent()
    em.line()
    em.line(f"def {helper_name('steady', block.name)}(s):", block)
    em.indent()
    em.line(f'"""SOLVE {docstring(block.name)} STEADYSTATE sparse (NEURON: backward Euler with dt = 1e9)."""')
    em.line(f"return kinetic.steadystate({scheme}, s, {states!r}, linear={linear!r})")
    em.dedent()
    em.line()


def _state_ref(r, ctx, prefix: str = "") -> str:
    """`x['A']`, or `x[rt.key('ca', i)]` for an array element (rows: prefix '_rhs_', in `l`)."""
    from bridge.nmodl.codegen import expr

    name = string(prefix + r.name)
    scope = "l" if prefix else "x"
    if r.index is None:
        return f"{scope}[{name}]"
    return f"{scope}[rt.key({name}, {expr(r.index, ctx)})]"


def _is_state(r, ctx) -> bool:
    return r.name in {_base(k) for k in ctx.kinetic_states}


def kinetic_statement(stmt, ctx, em) -> None:
    """A reaction inside the scheme function (COMPARTMENT and CONSERVE are placed by kinetic_def)."""
    from bridge.nmodl.codegen import _flush, expr, name_ref

    if isinstance(stmt, (ast.Compartment, ast.Conserve)):
        return
    if stmt.op == "<<":
        (target,) = stmt.lhs
        if not _is_state(target, ctx):
            raise ctx.error(UnsupportedFeature, f"flux ~ {target.name} << (...) on a non-STATE", stmt)
        flux = expr(stmt.forward, ctx)
        row = _state_ref(target, ctx, "_rhs_")
        _flush(ctx, em, stmt)
        em.line("l['f_flux'] = 0.0", stmt)
        em.line(f"l['b_flux'] = {flux}")
        em.line(f"{row} = {row} + l['b_flux']")
        return
    if stmt.op not in ("<->", "->"):
        raise ctx.error(UnsupportedFeature, f"reaction operator {stmt.op}", stmt)
    kf = expr(stmt.forward, ctx)
    kb = expr(stmt.backward, ctx) if stmt.backward is not None else "0.0"

    def product(rate: str, side) -> str:
        terms = [rate]
        for r in reversed(side):  # nocmodl multiplies the reactants last first
            ref = _state_ref(r, ctx) if _is_state(r, ctx) else (
                name_ref(r.name, ctx, stmt) if r.index is None else f"rt.index({name_ref(r.name, ctx, stmt)}, {expr(r.index, ctx)})")
            terms += [ref] * r.coefficient
        return " * ".join(terms)

    f_flux, b_flux = product(f"({kf})", stmt.lhs), product(f"({kb})", stmt.rhs)
    _flush(ctx, em, stmt)
    em.line(f"l['f_flux'] = {f_flux}", stmt)
    em.line(f"l['b_flux'] = {b_flux}")
    for side, sign in ((stmt.lhs, "-"), (stmt.rhs, "+")):
        for r in reversed(side):
            if _is_state(r, ctx):
                c = "" if r.coefficient == 1 else f"{number(r.coefficient)} * "
                row = _state_ref(r, ctx, "_rhs_")
                em.line(f"{row} = {row} {sign} {c}(l['f_flux'] - l['b_flux'])")


def _conserve(node: ast.Conserve, ctx, em, states, volumes, used_rows) -> None:
    from bridge.nmodl.codegen import _flush, expr

    terms = [r for r in node.lhs if r.name in states]
    if any(r.index is not None for r in node.lhs):
        raise ctx.error(UnsupportedFeature, "CONSERVE over array STATE elements", node)
    if not terms:
        raise ctx.error(UnsupportedFeature, "CONSERVE without STATEs of this scheme", node)
    row = next((r.name for r in reversed(terms) if r.name not in used_rows), None)
    if row is None:
        raise ctx.error(UnsupportedFeature, "more CONSERVE statements than STATEs", node)
    used_rows.add(row)
    total = expr(node.rhs, ctx)
    _flush(ctx, em, node)
    ref = f"l[{string('_rhs_' + row)}]"
    em.line(f"{ref} = {total}", node)
    for r in reversed(terms):
        vol = volumes.get(r.name)
        coef = "" if r.coefficient == 1 else f"{number(r.coefficient)} * "
        em.line(f"{ref} = {ref} - {coef}x[{string(r.name)}]{f' * ({vol})' if vol else ''}")


# --------------------------------------------------------------------------- run time


def _element(s, name):
    """The value of STATE `name` ("A", or "ca[3]" for an array element) in scope s."""
    if "[" in name:
        base, idx = name[:-1].split("[")
        return jnp.asarray(s[base])[..., int(idx)]
    return s[name]


def _put(s: dict, names, X, transform=lambda v: v) -> None:
    """Write the solved values X (one row per name) back into scope s (arrays restacked)."""
    arrays: dict[str, dict[int, object]] = {}
    for i, k in enumerate(names):
        if "[" in k:
            base, idx = k[:-1].split("[")
            arrays.setdefault(base, {})[int(idx)] = transform(X[i])
        else:
            s[k] = transform(X[i])
    for base, elems in arrays.items():
        old = jnp.asarray(s[base])
        size = old.shape[-1]
        cols = [elems[j] if j in elems else jnp.broadcast_to(old[..., j], X.shape[1:]) for j in range(size)]
        s[base] = jnp.stack(cols, axis=-1)


def _shape(s, names):
    return jnp.broadcast_shapes(*([jnp.shape(_element(s, n)) for n in names] + [jnp.shape(s["v"])]))


def _rows(scheme, s, names, X, X_old, neuron_matrix: bool = True):
    """The scheme's rows at X. With `neuron_matrix`, statements other than reactions see the
    STATEs through stop_gradient, so d(rows)/dX is the matrix nocmodl builds."""
    s_in = dict(s)
    x = {k: X[i] for i, k in enumerate(names)}
    _put(s_in, names, X, jax.lax.stop_gradient if neuron_matrix else (lambda v: v))
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
    """sparse_thread's loop over instances: until sum|dx| <= 1e-6 (or one step).

    One step is plain JAX (differentiable as it is); the loop runs inside
    `solvers.root`, so gradients come from the implicit function theorem."""
    from bridge.nmodl.solvers import root

    if single:
        Xn = X + _newton_step(scheme, s, names, X, X_old)
        return jnp.where(Xn < 0.0, 0.0, Xn) if clamp else Xn
    F = lambda X_: _rows(scheme, s, names, X_, X_old, neuron_matrix=False)[0]  # noqa: E731
    return root(F, X, lambda _f, X0: _loop(scheme, s, names, X0, X_old, clamp))


def _loop(scheme, s, names, X, X_old, clamp: bool):
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
