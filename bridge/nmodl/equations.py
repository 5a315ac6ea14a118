"""LINEAR and NONLINEAR blocks: `~ lhs = rhs` systems solved for their STATEs.

nocmodl turns a LINEAR block into a matrix and solves it once (scopmath simeq);
a NONLINEAR block into residuals `lhs - rhs` for Newton's method with a
numerical Jacobian (scopmath newton, as derivimplicit). bridge generates
`_<name>_equations(s)`, which runs the block and returns the residuals
`l['_eq_<k>']`, and solves them at run time:

- LINEAR: x = x - J^{-1} F(x), J from forward-mode JAX (exact for a linear system);
- NONLINEAR: `bridge.nmodl.solvers.newton`, NEURON's iteration.

The unknowns are the SOLVEFOR names, else every STATE the equations mention,
in STATE order; there must be as many equations as unknowns.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl import ast
from bridge.nmodl.pytext import docstring, string


def unknowns(block, info) -> tuple[str, ...]:
    if block.solvefor:
        return tuple(block.solvefor)
    used = {n.name for eq in ast.walk(block) if isinstance(eq, ast.Equation)
            for n in ast.walk(eq) if isinstance(n, (ast.Name, ast.Indexed))}
    return tuple(d.name for d in info.program.states if d.name in used)


def equations_def(block, info, em, counter) -> str:
    """Emit `_<name>_equations(s)` and return the line that solves the block."""
    from bridge.nmodl.codegen import Context, helper_name, statements

    kind = "linear" if isinstance(block, ast.LinearBlock) else "nonlinear"
    names = unknowns(block, info)
    eqs = [n for n in block.body if isinstance(n, ast.Equation)]
    nested = [n for n in ast.walk(block) if isinstance(n, ast.Equation) and n not in eqs]
    if nested:
        raise UnsupportedFeature("an equation (~) inside IF, WHILE or FROM", info.where(nested[0]), info.source)
    if len(eqs) != len(names):
        raise SemanticError(f"{kind.upper()} {block.name}: {len(eqs)} equations for {len(names)} unknowns "
                            f"({', '.join(names)})", info.where(block), info.source)
    if any(info.variables.get(n) is None or info.variables[n].size for n in names):
        raise UnsupportedFeature(f"{kind.upper()} {block.name}: unknowns must be scalar STATEs", info.where(block), info.source)
    fn = helper_name("equations", block.name)
    em.line(f"def {fn}(s):", block)
    em.indent()
    em.line(f'"""{kind.upper()} {docstring(block.name)}: residuals lhs - rhs of its equations at the current STATEs."""')
    em.line("s, l = dict(s), {}")
    ctx = Context(info, set(), None, kind, "error", counter=counter)
    ctx.equation_count = [0]  # type: ignore[attr-defined]
    statements(block.body, ctx, em)
    em.line("return s, l")
    em.dedent()
    em.line()
    return f"s = equations.{kind}({fn}, s, {names!r}, {len(eqs)})"


def equation_statement(stmt: ast.Equation, ctx, em) -> None:
    from bridge.nmodl.codegen import _flush, expr

    k = ctx.equation_count[0]
    ctx.equation_count[0] += 1
    lhs, rhs = expr(stmt.lhs, ctx), expr(stmt.rhs, ctx)
    _flush(ctx, em, stmt)
    em.line(f"l[{string(f'_eq_{k}')}] = ({lhs}) - ({rhs})", stmt)


# --------------------------------------------------------------------------- run time


def _residual(equations, s, names, count):
    shape = jnp.broadcast_shapes(*([jnp.shape(s[n]) for n in names] + [jnp.shape(s["v"])]))

    def F(x):
        s2 = dict(s)
        for i, k in enumerate(names):
            s2[k] = x[i]
        _, l = equations(s2)
        return jnp.stack([jnp.broadcast_to(l[f"_eq_{i}"], shape) for i in range(count)])

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
    from bridge.nmodl.solvers import newton, root

    F, x0 = _residual(equations, s, names, count)
    return _finish(equations, s, names, root(F, x0, newton))
