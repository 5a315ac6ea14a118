"""METHOD cnexp: a DERIVATIVE block integrated as nocmodl's deriv.cpp writes it.

For `x' = f`, with f' = df/dx and f = a*x + b (`bridge.nmodl.analysis.derivatives`),
nocmodl writes `x = x + (1. - exp(dt*(f')))*(-(b)/(a) - x)`; with f' = 0,
`x = x - dt*(-(b))`; with f not linear, `-(b)/(a)` left out (x relaxes towards 0).
The block becomes `_cnexp_<name>(s) -> s`. (A block nocmodl cannot integrate this way
runs derivimplicit: analysis has already chosen that method for it.)
"""

from __future__ import annotations

from bridge.nmodl.analysis.derivatives import is_zero, split
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen.context import BlockForms, Context
from bridge.nmodl.codegen.emitter import Emitter
from bridge.nmodl.codegen.expressions import expr
from bridge.nmodl.codegen.names import helper_name
from bridge.nmodl.codegen.pytext import docstring, string
from bridge.nmodl.codegen.statements import flush, statements, uses_locals
from bridge.nmodl.syntax import ast


def cnexp_def(block: ast.DerivativeBlock, info: MechanismInfo, em: Emitter) -> str:
    """Define `_cnexp_<name>(s)`; return the line `advance` runs it with."""
    fn = helper_name("cnexp", block.name)
    em.line(f"def {fn}(s):", block)
    em.indent()
    em.line(f'"""DERIVATIVE {docstring(block.name)} with METHOD cnexp (exact for x\' = a*x + b with a, b held '
            'fixed)."""')
    if uses_locals(block.body):
        em.line("l = {}")
    ctx = Context(info, em.module, "derivative", forms=BlockForms(prime=cnexp_assignment))
    statements(block.body, ctx, em)
    em.line("return s")
    em.dedent()
    em.line()
    return f"s = {fn}(s)"


def cnexp_assignment(stmt: ast.Assign, prime: ast.Prime, ctx: Context, em: Emitter) -> None:
    """`x' = f` as nocmodl's cnexp update of x (module docstring)."""
    x = prime.name
    de, a, b, _, linear = split(stmt.value, x)
    ref = f"s[{string(x)}]"
    if is_zero(de):
        bt = expr(b, ctx)
        flush(ctx, em, stmt)
        em.line(f"{ref} = {ref} - s['dt'] * (-({bt}))", stmt)
        return
    exp = ctx.runtime("rt", "exp")
    if not linear:  # nocmodl leaves -(b)/(a) empty: x relaxes towards 0
        dt_ = expr(de, ctx)
        flush(ctx, em, stmt)
        em.line(f"{ref} = {ref} + (1.0 - {exp}(s['dt'] * ({dt_}))) * (-{ref})", stmt)
        return
    dt_, at, bt = expr(de, ctx), expr(a, ctx), expr(b, ctx)
    flush(ctx, em, stmt)
    em.line(f"{ref} = {ref} + (1.0 - {exp}(s['dt'] * ({dt_}))) * (-({bt}) / ({at}) - {ref})", stmt)
