"""METHOD derivimplicit and euler: a DERIVATIVE block as the function of its derivatives.

The block becomes `_deriv_<name>(s, l) -> (s, l)`, which sets `l['D_x']` to `x'` for
each STATE x at the current values (a later `x'` on a right-hand side reads it, as nocmodl's
`Dx`: `bridge.nmodl.analysis.prime_reads`); the runtime integrates with it
(`bridge.nmodl.runtime.derivative`): `derivimplicit` by NEURON's Newton iteration on
backward Euler, `euler` forward.
"""

from __future__ import annotations

from bridge.nmodl.analysis.derivatives import equations
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen.context import BlockForms, Context
from bridge.nmodl.codegen.emitter import Emitter
from bridge.nmodl.codegen.expressions import expr
from bridge.nmodl.codegen.names import helper_name
from bridge.nmodl.codegen.pytext import docstring, string
from bridge.nmodl.codegen.statements import flush, statements
from bridge.nmodl.syntax import ast


def derivative_def(block: ast.DerivativeBlock, method: str, info: MechanismInfo, em: Emitter) -> str:
    """Define `_deriv_<name>(s, l)`; return the line `advance` runs METHOD `method` with
    ("derivimplicit" or "euler")."""
    fn = helper_name("deriv", block.name)
    em.line(f"def {fn}(s, l):", block)
    em.indent()
    em.line(f'"""DERIVATIVE {docstring(block.name)}: the derivatives D_x of its STATEs at the current values."""')
    forms = BlockForms(prime=derivative_assignment, prime_read=derivative_read)
    ctx = Context(info, em.module, "derivative", forms=forms)
    statements(block.body, ctx, em)
    em.line("return s, l")
    em.dedent()
    em.line()
    states = tuple(eq.prime.name for eq in equations(block))
    return f"s = {em.module.runtime('derivative', method)}({fn}, s, {states!r})"


def derivative_assignment(stmt: ast.Assign, x: ast.Prime, ctx: Context, em: Emitter) -> None:
    """`x' = e` as `l['D_x'] = e`."""
    value = expr(stmt.value, ctx)
    flush(ctx, em, stmt)
    em.line(f"l[{string('D_' + x.name)}] = {value}", stmt)


def derivative_read(x: ast.Prime) -> str:
    """`x'` read after the block's `x' = e` (`bridge.nmodl.analysis.prime_reads`): `l['D_x']`."""
    return f"l[{string('D_' + x.name)}]"
