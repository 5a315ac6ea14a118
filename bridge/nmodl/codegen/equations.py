"""LINEAR and NONLINEAR blocks: `~ lhs = rhs` systems, written as the residuals of their equations.

nocmodl turns a LINEAR block into a matrix and solves it once (scopmath simeq):
bridge generates the same matrix (`bridge.nmodl.codegen.linear`);
a NONLINEAR block into residuals `lhs - rhs` for Newton's method with a
numerical Jacobian (scopmath newton, as derivimplicit). bridge generates
`_equations_<name>(s)`, which runs the block and returns the matrix (LINEAR) or
the residuals in `l['_eq_<k>']` (NONLINEAR), and `_unknowns_<name>`; the runtime solves them
(`bridge.nmodl.runtime.equations`; the call: `statements.equations_call`).

The unknowns are the SOLVEFOR names, else every STATE the equations mention,
in STATE order (LINEAR: in order of first appearance, nocmodl's columns); there must be as many equations as unknowns.
"""

from __future__ import annotations

from typing import Literal

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen.context import BlockForms, Context
from bridge.nmodl.codegen.emitter import Emitter
from bridge.nmodl.codegen.expressions import expr
from bridge.nmodl.codegen.linear import MatrixRows, column_order
from bridge.nmodl.codegen.names import helper_name
from bridge.nmodl.codegen.pytext import docstring, string, strings
from bridge.nmodl.codegen.statements import flush, statements
from bridge.nmodl.syntax import ast


def unknowns(block: ast.LinearBlock | ast.NonLinearBlock, info: MechanismInfo) -> tuple[str, ...]:
    """The names the block solves for (module docstring)."""
    if block.solvefor:
        return tuple(block.solvefor)
    used = {n.name for eq in ast.walk(block) if isinstance(eq, ast.Equation)
            for n in ast.walk(eq) if isinstance(n, (ast.Name, ast.Indexed))}
    return tuple(d.name for d in info.program.states if d.name in used)


def equations_def(block: ast.LinearBlock | ast.NonLinearBlock, info: MechanismInfo, em: Emitter) -> None:
    """Emit `_equations_<name>(s)` and `_unknowns_<name>`."""
    kind: Literal["linear", "nonlinear"] = "linear" if isinstance(block, ast.LinearBlock) else "nonlinear"
    names = unknowns(block, info)
    eqs = [n for n in block.body if isinstance(n, ast.Equation)]
    nested = [n for n in ast.walk(block) if isinstance(n, ast.Equation) and n not in eqs]
    if nested:
        raise UnsupportedFeature("an equation (~) inside IF, WHILE or FROM", info.where(nested[0]), info.source)
    if len(eqs) != len(names):
        raise SemanticError(f"{kind.upper()} {block.name}: {len(eqs)} equations for {len(names)} unknowns "
                            f"({', '.join(names)})", info.where(block), info.source)
    if any(info.variables.get(n) is None or info.variables[n].size for n in names):
        raise UnsupportedFeature(f"{kind.upper()} {block.name}: unknowns must be scalar STATEs", info.where(block),
                                 info.source)
    em.line(f"def {helper_name('equations', block.name)}(s):", block)
    em.indent()
    what = "its augmented matrix (nocmodl's)" if kind == "linear" else \
        "residuals lhs - rhs of its equations at the current STATEs"
    em.line(f'"""{kind.upper()} {docstring(block.name)}: {what}."""')
    em.line("s, l = dict(s), {}")
    if kind == "linear":  # nocmodl's augmented matrix (bridge.nmodl.codegen.linear)
        names = column_order(eqs, names, info)
        rows = MatrixRows(names)
        rows.start(em, block, len(eqs))
        ctx = Context(info, em.module, kind, forms=BlockForms(equation=rows.equation))
    else:
        ctx = Context(info, em.module, kind, forms=BlockForms(equation=_Residuals().equation))
    statements(block.body, ctx, em)
    em.line("return s, l")
    em.dedent()
    em.line()
    em.line(f"{helper_name('unknowns', block.name)} = {strings(names)}")
    em.line()


class _Residuals:
    """Numbers the equations of one block: the k-th is `l['_eq_<k>']`."""

    def __init__(self) -> None:
        self.count = 0

    def equation(self, stmt: ast.Equation, ctx: Context, em: Emitter) -> None:
        k = self.count
        self.count += 1
        lhs, rhs = expr(stmt.lhs, ctx), expr(stmt.rhs, ctx)
        flush(ctx, em, stmt)
        em.line(f"l[{string(f'_eq_{k}')}] = ({lhs}) - ({rhs})", stmt)
