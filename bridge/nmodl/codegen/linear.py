"""A LINEAR block as nocmodl writes it: the augmented matrix, entry by entry, for scopmath simeq.

nocmodl (src/nmodl/parse1.ypp, the `linexpr`/`primary` rules, and the matrix code it emits
for a LINEAR block) reads each side of `~ lhs = rhs` as terms joined by `+` and `-` (the
first may carry a unary minus). A term holds at most one unknown, as a factor of a product
(not inside parentheses, a function call, a power or a denominator). Row k of the matrix is
equation k; the column of an unknown is the order of its first appearance in the block. The
matrix starts at 0 and each term, in the order written, is added or subtracted:

- a term with unknown j: `a[k][j] -= term` on the left side (`+=` on the right), the term's
  value with the unknown replaced by 1.0;
- any other term: `b[k] += term` on the left side (`-=` on the right);

a minus before a term flips the operation. So `a x = b` is `lhs = rhs`. The entries land in
`l['_a_<k>_<j>']` and `l['_b_<k>']`; `bridge.nmodl.runtime.equations.linear` solves them with
`bridge.nmodl.runtime.simeq`. Statements between the equations run in order, at the STATEs'
values before the solve, as in nocmodl.

bridge's tree keeps no parentheses: a parenthesized sum of constants at the start of a side,
`(a + b) + x`, is added as two terms where nocmodl adds one (a rounding difference only).
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen.context import Context
from bridge.nmodl.codegen.emitter import Emitter
from bridge.nmodl.codegen.expressions import expr
from bridge.nmodl.codegen.pytext import string
from bridge.nmodl.codegen.statements import flush
from bridge.nmodl.syntax import ast


def terms(side: ast.Expr) -> list[tuple[int, ast.Expr]]:
    """The signed terms (+1 or -1, term) of one side of an equation, in the order written."""
    if isinstance(side, ast.Binary) and side.op in "+-":
        return terms(side.left) + [(1 if side.op == "+" else -1, side.right)]
    if isinstance(side, ast.Unary) and side.op == "-":
        return [(-sign, t) for sign, t in terms(side.operand)]
    return [(1, side)]


def _unknown_in(term: ast.Node, names: tuple[str, ...]) -> list[ast.Name]:
    return [n for n in ast.walk(term) if isinstance(n, ast.Name) and n.name in names]


def _factor_path(term: ast.Node, target: ast.Name) -> bool:
    """True when `target` is a factor of the product `term` (through `*`, the left of `/`, unary `-`)."""
    if term is target:
        return True
    if isinstance(term, ast.Binary) and term.op == "*":
        return _factor_path(term.left, target) or _factor_path(term.right, target)
    if isinstance(term, ast.Binary) and term.op == "/":
        return _factor_path(term.left, target)
    if isinstance(term, ast.Unary) and term.op == "-":
        return _factor_path(term.operand, target)
    return False


def _replace(term: ast.Expr, target: ast.Name) -> ast.Expr:
    """`term` with the unknown `target` replaced by the number 1.0."""
    if term is target:
        return ast.Number(1.0, "1.0", loc=target.loc)
    if isinstance(term, ast.Binary):
        return ast.Binary(term.op, _replace(term.left, target), _replace(term.right, target), loc=term.loc)
    if isinstance(term, ast.Unary):
        return ast.Unary(term.op, _replace(term.operand, target), loc=term.loc)
    return term


def classify(term: ast.Expr, names: tuple[str, ...], info: MechanismInfo) -> tuple[str | None, ast.Expr]:
    """(the unknown in `term` or None, the term with that unknown replaced by 1.0); nocmodl's refusals."""
    found = _unknown_in(term, names)
    if not found:
        return None, term
    if len(found) > 1:
        raise UnsupportedFeature(f"LINEAR: more than one unknown ({', '.join(n.name for n in found)}) in one term "
                                 "(nocmodl refuses it)", info.where(term), info.source)
    if not _factor_path(term, found[0]):
        raise UnsupportedFeature(f"LINEAR: the unknown {found[0].name} inside parentheses, a function call, a power "
                                 "or a denominator (nocmodl refuses it)", info.where(term), info.source)
    return found[0].name, _replace(term, found[0])


def column_order(eqs: list[ast.Equation], names: tuple[str, ...], info: MechanismInfo) -> tuple[str, ...]:
    """The unknowns in order of first appearance: nocmodl's matrix columns."""
    order: list[str] = []
    for eq in eqs:
        for _, t in terms(eq.lhs) + terms(eq.rhs):
            name, _ = classify(t, names, info)
            if name is not None and name not in order:
                order.append(name)
    return tuple(order) + tuple(n for n in names if n not in order)


class MatrixRows:
    """The `equation` form of a LINEAR block: row k of the augmented matrix for the k-th equation."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.count = 0

    def start(self, em: Emitter, node: ast.Node, rows: int) -> None:
        """Zero the matrix (nocmodl's zero_matrix)."""
        for k in range(rows):
            for j in range(len(self.names)):
                em.line(f"l[{string(f'_a_{k}_{j}')}] = 0.0", node)
            em.line(f"l[{string(f'_b_{k}')}] = 0.0", node)

    def equation(self, stmt: ast.Equation, ctx: Context, em: Emitter) -> None:
        k = self.count
        self.count += 1
        updates = []
        for side, flip in ((stmt.lhs, 1), (stmt.rhs, -1)):
            for sign, term in terms(side):
                name, value = classify(term, self.names, ctx.info)
                plus = sign * flip > 0
                if name is None:
                    key, op = f"_b_{k}", "+" if plus else "-"
                else:
                    key, op = f"_a_{k}_{self.names.index(name)}", "-" if plus else "+"
                updates.append((key, op, expr(value, ctx)))
        flush(ctx, em, stmt)
        for key, op, text in updates:
            em.line(f"l[{string(key)}] = l[{string(key)}] {op} ({text})", stmt)
