"""DERIVATIVE blocks: code for cnexp, euler and derivimplicit, and NEURON's Newton at run time.

- **cnexp** (nocmodl's deriv.cpp and diffeq.ypp): for `x' = f`, nocmodl forms
  the symbolic derivative f' = df/dx and the split f = a*x + b, and writes
  `x = x + (1. - exp(dt*(f')))*(-(b)/(a) - x)` (with f' = 0: `x = x - dt*(-(b))`;
  with f not linear: `-(b)/(a)` left out). When f' cannot be formed (x inside
  a function call or a power, or in a denominator) the block falls back to
  derivimplicit, as nocmodl does ("Could not translate using cnexp method").
- **euler**: all derivatives from the old states, then `x += dt*x'`.
- **derivimplicit** (scopmath newton_thread.hpp): backward Euler, residual
  `x' - (x - x_old)/dt`, Newton with a Jacobian from central differences (2%
  increments, at least 1e-6), rebuilt when a relative change exceeded 0.05,
  until the relative change is <= 1e-6 and the residual <= 1e-8, at most 50
  iterations. Instances iterate in one `lax.while_loop` (those that converged
  stop changing), so each follows NEURON's own iteration. Gradients do not go
  through the iteration but come from the implicit function theorem at the
  solution (`lax.custom_root`), so `jax.grad` works.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from bridge.errors import UnsupportedFeature
from bridge.nmodl import ast
from bridge.nmodl.analyze import MechanismInfo, SolveInfo
from bridge.nmodl.pytext import docstring, string

# scopmath errcodes.hpp
ZERO = 1e-8
STEP = 1e-6
CONVERGE = 1e-6
MAXCHANGE = 0.05
MAXITERS = 50


# --------------------------------------------------------------------------- linear analysis


def _num(v: float) -> ast.Number:
    return ast.Number(float(v), repr(float(v)))


def _is_zero(e) -> bool:
    return isinstance(e, ast.Number) and e.value == 0.0


def _contains(e, name: str) -> bool:
    return any(isinstance(n, (ast.Name, ast.Indexed)) and n.name == name for n in ast.walk(e))


def cnexp_parts(e, x: str):
    """nocmodl's diffeq.ypp on `e` with respect to state x: (de, a, b, d_ok, eq_ok).

    de = de/dx (symbolic); e = a*x + b when e is linear in x. `d_ok` is False when
    the derivative cannot be formed (x inside a function call or a power, or in a
    denominator): nocmodl then falls back to derivimplicit. `eq_ok` is False when e
    is not linear (a product of two x terms): nocmodl then uses 0 for -(b)/(a).
    Literal zeros are dropped exactly where nocmodl drops them.
    """
    zero = _num(0.0)
    if isinstance(e, (ast.Name, ast.Indexed)) and e.name == x:
        return _num(1.0), _num(1.0), zero, True, True
    if isinstance(e, (ast.Number, ast.UnitNumber, ast.Name, ast.Indexed, ast.String)) or not _contains(e, x):
        return zero, zero, e, True, True
    if isinstance(e, ast.Unary) and e.op == "-":
        de, a, b, dok, eok = cnexp_parts(e.operand, x)
        return _neg(de), _neg(a), _neg(b), dok, eok
    if isinstance(e, ast.Binary) and e.op in ("+", "-"):
        l, r = cnexp_parts(e.left, x), cnexp_parts(e.right, x)
        return (_add(l[0], r[0], e.op), _add(l[1], r[1], e.op), _add(l[2], r[2], e.op), l[3] and r[3], l[4] and r[4])
    if isinstance(e, ast.Binary) and e.op == "*":
        (d1, a1, b1, dok1, eok1), (d3, a3, b3, dok3, eok3) = cnexp_parts(e.left, x), cnexp_parts(e.right, x)
        if not _is_zero(d1) and not _is_zero(d3):
            de = ast.Binary("+", ast.Binary("*", d1, e.right), ast.Binary("*", e.left, d3))
        elif not _is_zero(d1):
            de = ast.Binary("*", d1, e.right)
        elif not _is_zero(d3):
            de = ast.Binary("*", e.left, d3)
        else:
            de = zero
        eok = eok1 and eok3
        a = zero
        if not _is_zero(a1) and not _is_zero(a3):
            eok = False
        elif not _is_zero(a1):
            a = ast.Binary("*", a1, b3) if not _is_zero(b3) else zero
        elif not _is_zero(a3):
            a = ast.Binary("*", b1, a3) if not _is_zero(b1) else zero
        b = ast.Binary("*", b1, b3) if not _is_zero(b1) and not _is_zero(b3) else zero
        return de, a, b, dok1 and dok3, eok
    if isinstance(e, ast.Binary) and e.op == "/":
        (d1, a1, b1, dok1, eok1), (d3, a3, b3, dok3, eok3) = cnexp_parts(e.left, x), cnexp_parts(e.right, x)
        dok, eok = dok1 and dok3, eok1 and eok3
        de = zero
        if not _is_zero(d3):
            dok = False
        elif not _is_zero(d1):
            de = ast.Binary("/", d1, e.right)
        a = zero
        if not _is_zero(a3):
            eok = False
        elif not _is_zero(a1):
            a = ast.Binary("/", a1, e.right)
        b = ast.Binary("/", b1, e.right) if not _is_zero(b1) else zero
        return de, a, b, dok, eok
    # a call, a power or a comparison with x inside: no derivative
    return zero, zero, e, False, False


def linear_parts(e, x: str):
    """(a, b) with e == a*x + b, or None when e is not linear in x."""
    de, a, b, dok, eok = cnexp_parts(e, x)
    return (a, b) if dok and eok else None


def _neg(a):
    if _is_zero(a):
        return a
    if isinstance(a, ast.Number):
        return _num(-a.value)
    return ast.Unary("-", a)


def _add(a, b, op):
    if _is_zero(b):
        return a
    if _is_zero(a):
        return b if op == "+" else _neg(b)
    return ast.Binary(op, a, b)


def _mul(a, b):
    if _is_zero(a) or _is_zero(b):
        return _num(0.0)
    if isinstance(a, ast.Number) and a.value == 1.0:
        return b
    if isinstance(b, ast.Number) and b.value == 1.0:
        return a
    return ast.Binary("*", a, b)


def _div(a, b):
    if _is_zero(a):
        return a
    return ast.Binary("/", a, b)


def _primes(block) -> list[ast.Assign]:
    return [n for n in ast.walk(block) if isinstance(n, ast.Assign) and isinstance(n.target, ast.Prime)]


def cnexp_possible(block) -> bool:
    """nocmodl's test: every equation's right side has a symbolic derivative in its state."""
    return all(p.target.index is None and p.target.order == 1 and cnexp_parts(p.value, p.target.name)[3]
               for p in _primes(block))


# --------------------------------------------------------------------------- code generation


def prime_assignment(stmt: ast.Assign, ctx, em) -> None:
    """`x' = e` inside a DERIVATIVE block, in the form of the block's method."""
    from bridge.nmodl.codegen import expr, _flush

    target = stmt.target
    if target.order != 1 or target.index is not None:
        raise ctx.error(UnsupportedFeature, f"{target.name}{chr(39) * target.order}"
                        f"{'[...]' if target.index is not None else ''}: bridge integrates first-order "
                        "scalar STATE equations", stmt)
    x = target.name
    if ctx.prime == "cnexp":
        # nocmodl: x = x + (1. - exp(dt*(dF/dx)))*(-(b)/(a) - x) for F = a*x + b
        de, a, b, _, linear = cnexp_parts(stmt.value, x)
        ref = f"s[{string(x)}]"
        if _is_zero(de):
            bt = expr(b, ctx)
            _flush(ctx, em, stmt)
            em.line(f"{ref} = {ref} - s['dt'] * (-({bt}))", stmt)
        elif not linear:  # nocmodl leaves -(b)/(a) empty: x relaxes towards 0
            dt_ = expr(de, ctx)
            _flush(ctx, em, stmt)
            em.line(f"{ref} = {ref} + (1.0 - rt.exp(s['dt'] * ({dt_}))) * (-{ref})", stmt)
        else:
            dt_, at, bt = expr(de, ctx), expr(a, ctx), expr(b, ctx)
            _flush(ctx, em, stmt)
            em.line(f"{ref} = {ref} + (1.0 - rt.exp(s['dt'] * ({dt_}))) * (-({bt}) / ({at}) - {ref})", stmt)
    elif ctx.prime == "deriv":
        value = expr(stmt.value, ctx)
        _flush(ctx, em, stmt)
        em.line(f"l[{string('D_' + x)}] = {value}", stmt)
    else:
        raise ctx.error(UnsupportedFeature, f"{x}' = ... outside a DERIVATIVE block", stmt)


def derivative_functions(block: ast.DerivativeBlock, info: MechanismInfo, em, counter) -> None:
    """`_deriv_<name>(s, l) -> (s, l)`: the block with `l['D_x']` set for each STATE x."""
    from bridge.nmodl.codegen import Context, helper_name, statements

    em.line(f"def {helper_name('deriv', block.name)}(s, l):", block)
    em.indent()
    em.line(f'"""DERIVATIVE {docstring(block.name)}: the derivatives D_x of its STATEs at the current values."""')
    ctx = Context(info, set(), None, "derivative", "deriv", counter=counter)
    statements(block.body, ctx, em)
    em.line("return s, l")
    em.dedent()
    em.line()


def solve_block(solve: SolveInfo, info: MechanismInfo, em, counter) -> str:
    """Define what a BREAKPOINT SOLVE runs; return the line `advance` calls it with."""
    from bridge.nmodl import kinetic
    from bridge.nmodl.codegen import Context, helper_name, py_name, statements

    block = solve.block
    name = getattr(block, "name", "")
    if solve.method == "procedure":
        return f"s = {py_name(name)}(s)"
    if solve.method == "sparse":
        kinetic.kinetic_def(block, info, em, counter)
        return f"s = {helper_name('advance', name)}(s)"
    if solve.method in ("linear", "nonlinear"):
        from bridge.nmodl.codegen import solve_lines_for

        return f"s = {solve_lines_for(block)}"
    if solve.method.startswith("steadystate"):
        raise UnsupportedFeature(f"SOLVE {name} STEADYSTATE in BREAKPOINT", info.where(solve.statement), info.source)
    states = tuple(p.target.name for p in _primes(block))
    method = solve.method
    if method == "cnexp":
        for p in _primes(block):
            power = next((n for n in ast.walk(p.value) if isinstance(n, ast.Binary) and n.op == "^"), None)
            if power is not None:
                from bridge.errors import SemanticError

                raise SemanticError(f"'^' in the METHOD cnexp equation of {p.target.name}': NEURON's nocmodl aborts "
                                    "on it (diffeq.ypp); write pow(a, b) or use METHOD derivimplicit",
                                    info.where(power), info.source)
    if method == "cnexp" and not cnexp_possible(block):
        em.comment(f"{name}: not linear in its states; nocmodl then uses derivimplicit, and so does bridge")
        method = "derivimplicit"
    if method == "cnexp":
        em.line(f"def {helper_name('cnexp', name)}(s):", block)
        em.indent()
        em.line(f'"""DERIVATIVE {docstring(name)} with METHOD cnexp (exact for x\' = a*x + b with a, b held fixed)."""')
        em.line("l = {}")
        ctx = Context(info, set(), None, "derivative", "cnexp", counter=counter)
        statements(block.body, ctx, em)
        em.line("return s")
        em.dedent()
        em.line()
        return f"s = {helper_name('cnexp', name)}(s)"
    derivative_functions(block, info, em, counter)
    if method == "euler":
        return f"s = solvers.euler({helper_name('deriv', name)}, s, {states!r})"
    return f"s = solvers.derivimplicit({helper_name('deriv', name)}, s, {states!r})"


# --------------------------------------------------------------------------- run time


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


def _rows_of(a, idx):
    """a[idx] per instance: a is (n, m, *S), idx (*S) ints -> (m, *S)."""
    return jnp.take_along_axis(a, idx[None, None], axis=0)[0]


def crout(a):
    """scopmath's nrn_crout_thread: LU with scaled partial pivoting, in place in a[row, col, ...].

    Returns (a, perm) for `crout_solve`. Same operations in the same order as NEURON's C."""
    n = a.shape[0]
    shape = a.shape[2:]
    rows = jnp.arange(n).reshape((n,) + (1,) * len(shape))
    # rowmax[i] = a[i][k] with k the first column of largest |a[i][k]|
    k = jnp.argmax(jnp.abs(a), axis=1)  # first maximum, as the C loop's strict '>'
    rowmax = jnp.take_along_axis(a, k[:, None], axis=1)[:, 0]
    perm = jnp.broadcast_to(jnp.arange(n).reshape((n,) + (1,) * len(shape)), (n,) + shape)
    for r in range(n):
        for i in range(r, n):
            irow = perm[i]
            total = jnp.zeros(shape)
            for kk in range(r):
                total = total + _rows_of(a, irow)[kk] * _rows_of(a, perm[kk])[r]
            a = a.at[:, r].set(jnp.where(rows == irow, _rows_of(a, irow)[r] - total, a[:, r]))
        pivot = perm[r]
        equil_1 = jnp.abs(_rows_of(a, pivot)[r] / jnp.take_along_axis(rowmax, pivot[None], axis=0)[0])
        save_i = jnp.full(shape, r)
        for i in range(r + 1, n):
            irow = perm[i]
            equil_2 = jnp.abs(_rows_of(a, irow)[r] / jnp.take_along_axis(rowmax, irow[None], axis=0)[0])
            better = equil_2 > equil_1
            pivot = jnp.where(better, irow, pivot)
            save_i = jnp.where(better, i, save_i)
            equil_1 = jnp.where(better, equil_2, equil_1)
        swap = pivot != perm[r]
        old_r = perm[r]
        perm = jnp.where(swap & (jnp.arange(n).reshape(rows.shape) == save_i), old_r, perm)
        perm = perm.at[r].set(jnp.where(swap, pivot, perm[r]))
        prow = _rows_of(a, pivot)
        for j in range(r + 1, n):
            total = jnp.zeros(shape)
            for kk in range(r):
                total = total + prow[kk] * _rows_of(a, perm[kk])[j]
            value = (prow[j] - total) / prow[r]
            a = a.at[:, j].set(jnp.where(rows == pivot, value, a[:, j]))
            prow = _rows_of(a, pivot)
    return a, perm


def crout_solve(a, perm, b):
    """scopmath's nrn_scopmath_solve_thread: forward and back substitution with the pivots."""
    n = a.shape[0]
    p = [None] * n
    for i in range(n):
        prow = _rows_of(a, perm[i])
        total = jnp.zeros(b.shape[1:])
        for j in range(i):
            total = total + prow[j] * p[j]
        p[i] = (jnp.take_along_axis(b, perm[i][None], axis=0)[0] - total) / prow[i]
    for i in range(n - 1, -1, -1):
        prow = _rows_of(a, perm[i])
        total = jnp.zeros(b.shape[1:])
        for j in range(i + 1, n):
            total = total + prow[j] * p[j]
        p[i] = p[i] - total
    return jnp.stack(p)


def newton(F, x0):
    """scopmath's nrn_newton_thread on F(x) = 0 for every instance at once; x0 is (n, *instances).

    Jacobian by central differences (increment max(|0.02 x|, 1e-6)), factored by
    NEURON's Crout LU (`crout`), rebuilt while the largest relative change exceeds 0.05; stops when that change is <= 1e-6 and
    max |F| <= 1e-8, or after 50 iterations. Instances that converged keep their values.
    """
    n = x0.shape[0]
    shape = x0.shape[1:]

    def jacobian(x):
        cols = []
        for j in range(n):
            inc = jnp.maximum(jnp.abs(0.02 * x[j]), STEP)
            xj = x[j] + inc
            high = F(x.at[j].set(xj))
            xj = xj - 2.0 * inc
            low = F(x.at[j].set(xj))
            cols.append((high - low) / (2.0 * inc))
            x = x.at[j].set(xj + inc)  # NEURON restores x by adding the increment back
        value = F(x)
        return jnp.stack(cols, axis=1), x, value  # J[i, j, ...]

    def body(carry):
        x, value, J, perm, change, count, active = carry
        rebuild = (change > MAXCHANGE) & active
        Jn, xn, vn = jacobian(x)
        LUn, permn = crout(Jn)
        J = jnp.where(rebuild, LUn, J)
        perm = jnp.where(rebuild, permn, perm)
        x = jnp.where(rebuild, xn, x)
        value = jnp.where(rebuild, -vn, value)
        dx = crout_solve(J, perm, value)
        big = jnp.abs(x) > ZERO
        rel = jnp.where(big, jnp.abs(dx / jnp.where(big, x, 1.0)), 0.0)
        new_change = jnp.max(rel, axis=0)
        x_new = x + dx
        value_new = -F(x_new)
        max_dev = jnp.max(jnp.abs(value_new), axis=0)
        count = count + 1
        done = ((new_change <= CONVERGE) & (max_dev <= ZERO)) | (count >= MAXITERS)
        x = jnp.where(active, x_new, x)
        value = jnp.where(active, value_new, value)
        change = jnp.where(active, new_change, change)
        return x, value, J, perm, change, count, active & ~done

    J0 = jnp.zeros((n, n) + shape)
    perm0 = jnp.zeros((n,) + shape, jnp.arange(1).dtype)
    carry = (x0, jnp.zeros((n,) + shape), J0, perm0, jnp.ones(shape), 0, jnp.ones(shape, bool))
    return jax.lax.while_loop(lambda c: jnp.any(c[6]), body, carry)[0]


def tangent_solve(g, y):
    """Solve the linear map g(x) = y per instance (g acts on (n, *instances) arrays)."""
    n = y.shape[0]
    cols = [g(jnp.zeros_like(y).at[j].set(1.0)) for j in range(n)]
    J = jnp.moveaxis(jnp.stack(cols, axis=1), (0, 1), (-2, -1))
    return jnp.moveaxis(jnp.linalg.solve(J, jnp.moveaxis(y, 0, -1)[..., None])[..., 0], -1, 0)


def root(F, x0, solve):
    """`solve(F, x0)` forward (NEURON's iteration, bit for bit); gradients by the implicit
    function theorem at the root (`lax.custom_root`), so reverse mode works through it."""
    return jax.lax.custom_root(F, x0, solve, tangent_solve)


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
