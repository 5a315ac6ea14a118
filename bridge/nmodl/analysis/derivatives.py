"""nocmodl's symbolic view of a DERIVATIVE equation `x' = e` (diffeq.ypp), which decides METHOD cnexp.

For `x' = e` nocmodl forms de/dx and the split e = a*x + b; cnexp then integrates
`x = x + (1. - exp(dt*(de/dx)))*(-(b)/(a) - x)` (`bridge.nmodl.codegen.cnexp`). When
de/dx cannot be formed (x inside a function call or a power, or in a denominator)
nocmodl falls back to derivimplicit ("Could not translate using cnexp method").
Literal zeros are dropped exactly where nocmodl drops them, so the generated
expression performs nocmodl's operations in nocmodl's order.
"""

from __future__ import annotations

from typing import NamedTuple

from bridge.nmodl.syntax import ast


class Split(NamedTuple):
    """`e` with respect to x: de = de/dx, and e = a*x + b when `linear`.

    `derivable` is False when de/dx cannot be formed (nocmodl then uses derivimplicit);
    `linear` is False when e is not linear in x (a product of two x terms: nocmodl then
    leaves -(b)/(a) out)."""

    de: ast.Expr
    a: ast.Expr
    b: ast.Expr
    derivable: bool
    linear: bool


def number(v: float) -> ast.Number:
    """A literal number node (as nocmodl prints 0.0 and 1.0)."""
    return ast.Number(float(v), repr(float(v)))


def is_zero(e: ast.Expr) -> bool:
    return isinstance(e, ast.Number) and e.value == 0.0


def split(e: ast.Expr, x: str) -> Split:
    """nocmodl's diffeq.ypp on `e` with respect to state `x` (see `Split`)."""
    zero = number(0.0)
    if isinstance(e, (ast.Name, ast.Indexed)) and e.name == x:
        return Split(number(1.0), number(1.0), zero, True, True)
    if isinstance(e, (ast.Number, ast.UnitNumber, ast.Name, ast.Indexed, ast.String)) or not _contains(e, x):
        return Split(zero, zero, e, True, True)
    if isinstance(e, ast.Unary) and e.op == "-":
        s = split(e.operand, x)
        return Split(_neg(s.de), _neg(s.a), _neg(s.b), s.derivable, s.linear)
    if isinstance(e, ast.Binary) and e.op in ("+", "-"):
        left, right = split(e.left, x), split(e.right, x)
        return Split(_add(left.de, right.de, e.op), _add(left.a, right.a, e.op), _add(left.b, right.b, e.op),
                     left.derivable and right.derivable, left.linear and right.linear)
    if isinstance(e, ast.Binary) and e.op == "*":
        return _product(e, split(e.left, x), split(e.right, x))
    if isinstance(e, ast.Binary) and e.op == "/":
        return _quotient(e, split(e.left, x), split(e.right, x))
    # a call, a power or a comparison with x inside: no derivative
    return Split(zero, zero, e, False, False)


class Equation(NamedTuple):
    """One `x' = e` statement: its target `x'` and `e`."""

    prime: ast.Prime
    value: ast.Expr


def cnexp_possible(block: ast.DerivativeBlock) -> bool:
    """nocmodl's test: every equation's right side has a symbolic derivative in its state."""
    return all(eq.prime.index is None and eq.prime.order == 1 and split(eq.value, eq.prime.name).derivable
               for eq in equations(block))


def equations(block: ast.Node) -> list[Equation]:
    """The `x' = e` statements of a block, nested ones included, in source order."""
    return [Equation(n.target, n.value) for n in ast.walk(block)
            if isinstance(n, ast.Assign) and isinstance(n.target, ast.Prime)]


def _product(e: ast.Binary, left: Split, right: Split) -> Split:
    zero = number(0.0)
    if not is_zero(left.de) and not is_zero(right.de):
        de: ast.Expr = ast.Binary("+", ast.Binary("*", left.de, e.right), ast.Binary("*", e.left, right.de))
    elif not is_zero(left.de):
        de = ast.Binary("*", left.de, e.right)
    elif not is_zero(right.de):
        de = ast.Binary("*", e.left, right.de)
    else:
        de = zero
    linear = left.linear and right.linear
    a: ast.Expr = zero
    if not is_zero(left.a) and not is_zero(right.a):
        linear = False
    elif not is_zero(left.a):
        a = ast.Binary("*", left.a, right.b) if not is_zero(right.b) else zero
    elif not is_zero(right.a):
        a = ast.Binary("*", left.b, right.a) if not is_zero(left.b) else zero
    b = ast.Binary("*", left.b, right.b) if not is_zero(left.b) and not is_zero(right.b) else zero
    return Split(de, a, b, left.derivable and right.derivable, linear)


def _quotient(e: ast.Binary, left: Split, right: Split) -> Split:
    zero = number(0.0)
    derivable, linear = left.derivable and right.derivable, left.linear and right.linear
    de: ast.Expr = zero
    if not is_zero(right.de):
        derivable = False
    elif not is_zero(left.de):
        de = ast.Binary("/", left.de, e.right)
    a: ast.Expr = zero
    if not is_zero(right.a):
        linear = False
    elif not is_zero(left.a):
        a = ast.Binary("/", left.a, e.right)
    b = ast.Binary("/", left.b, e.right) if not is_zero(left.b) else zero
    return Split(de, a, b, derivable, linear)


def _contains(e: ast.Expr, name: str) -> bool:
    return any(isinstance(n, (ast.Name, ast.Indexed)) and n.name == name for n in ast.walk(e))


def _neg(a: ast.Expr) -> ast.Expr:
    if is_zero(a):
        return a
    if isinstance(a, ast.Number):
        return number(-a.value)
    return ast.Unary("-", a)


def _add(a: ast.Expr, b: ast.Expr, op: str) -> ast.Expr:
    if is_zero(b):
        return a
    if is_zero(a):
        return b if op == "+" else _neg(b)
    return ast.Binary(op, a, b)
