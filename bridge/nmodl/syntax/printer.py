"""Syntax tree → NMODL text.

`to_nmodl(node)` prints any node of `bridge.nmodl.syntax.ast` (a whole `Program`, a
block, a statement or an expression) as NMODL that `parse` reads back to an
equal tree: `parse(to_nmodl(parse(x))) == parse(x)`. Comments and layout are
not kept; parentheses are printed only where nocmodl's precedence needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.nmodl.syntax import ast

_INDENT = "    "

# nocmodl's precedence levels, low to high; atoms bind tightest.
_PREC = {"||": 1, "&&": 2, "<": 3, "<=": 3, ">": 3, ">=": 3, "==": 3, "!=": 3, "+": 4, "-": 4, "*": 5, "/": 5, "^": 7}
_UNARY, _ATOM = 6, 8


def to_nmodl(node: ast.Node) -> str:
    """NMODL source text for `node` (a `Program` gives a whole file, ending with a newline)."""
    if isinstance(node, ast.Program):
        return "\n".join(_item(i) for i in node.items) + "\n"
    if isinstance(node, _EXPR_TYPES):
        return expr(node)
    if isinstance(node, _STMT_TYPES) and not isinstance(node, _ITEM_ONLY):
        return "\n".join(_stmt(node, 0))
    return _item(node)


# --------------------------------------------------------------------------- expressions


def _num(n: ast.Number) -> str:
    if n.text:
        return n.text
    v = n.value
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _prec(e: ast.Node) -> int:
    if isinstance(e, ast.Binary):
        return _PREC[e.op]
    if isinstance(e, ast.Unary):
        return _UNARY
    if isinstance(e, ast.Number) and _num(e).startswith("-"):
        return _UNARY
    return _ATOM


def _wrap(e: ast.Node, need: bool) -> str:
    text = expr(e)
    return f"({text})" if need else text


def expr(e: ast.Node) -> str:
    """The NMODL text of expression `e`."""
    form = _EXPRESSIONS.get(type(e))
    if form is None:
        raise TypeError(f"not an NMODL expression: {type(e).__name__}")
    return form(e)


def _indexed_name(name: str, index: ast.Expr | None) -> str:
    return f"{name}[{expr(index)}]" if index is not None else name


def _binary(e: ast.Binary) -> str:
    p = _PREC[e.op]
    if e.op == "^":  # right associative; the base must be an atom
        return f"{_wrap(e.left, _prec(e.left) < _ATOM)}^{_wrap(e.right, _prec(e.right) < _UNARY)}"
    return f"{_wrap(e.left, _prec(e.left) < p)} {e.op} {_wrap(e.right, _prec(e.right) <= p)}"


_EXPRESSIONS: dict[type, Callable[[Any], str]] = {
    ast.Number: _num,
    ast.UnitNumber: lambda e: f"{_num(e.number)} ({e.units})",
    ast.String: lambda e: f'"{e.value}"',
    ast.Name: lambda e: e.name,
    ast.IonValue: lambda e: f"_ion_{e.name}",  # C, from a translated VERBATIM block: no NMODL spelling
    ast.CInt: lambda e: f"(int)({expr(e.operand)})",  # C, from a translated VERBATIM block
    ast.Indexed: lambda e: f"{e.name}[{expr(e.index)}]",
    ast.Prime: lambda e: _indexed_name(e.name + "'" * e.order, e.index),
    ast.DiscreteValue: lambda e: _indexed_name(f"{e.name}@{e.lag}", e.index),
    ast.Call: lambda e: f"{e.name}({', '.join(expr(a) for a in e.args)})",
    ast.Unary: lambda e: f"{e.op}{_wrap(e.operand, _prec(e.operand) < _UNARY)}",
    ast.Binary: _binary,
    ast.Reactant: lambda e: _reactant(e),
}


def _reactant(r: ast.Reactant) -> str:
    text = r.name if r.index is None else f"{r.name}[{expr(r.index)}]"
    return f"{r.coefficient} {text}" if r.coefficient != 1 else text


def _reactants(rs: tuple[ast.Reactant, ...]) -> str:
    return " + ".join(_reactant(r) for r in rs)


def _sum_level(e: ast.Node) -> str:
    """An operand that the grammar reads at the `+ -` level (WATCH sides, `~` left sides)."""
    return _wrap(e, _prec(e) < _PREC["+"])


# --------------------------------------------------------------------------- statements


def _body(stmts: tuple, depth: int) -> list[str]:
    lines = []
    for s in stmts:
        lines.extend(_stmt(s, depth))
    return lines


def _braced(head: str, stmts: tuple, depth: int) -> list[str]:
    pad = _INDENT * depth
    return [f"{pad}{head}{{", *_body(stmts, depth + 1), f"{pad}}}"]


def _stmt(s: ast.Node, depth: int) -> list[str]:
    form = _STATEMENTS.get(type(s))
    if form is None:
        raise TypeError(f"not an NMODL statement: {type(s).__name__}")
    return form(s, depth, _INDENT * depth)


def _solve(s: ast.Solve, depth: int, pad: str) -> list[str]:
    text = f"{pad}SOLVE {s.name}"
    if s.method is not None:
        text += f" METHOD {s.method}"
    if s.steadystate is not None:
        text += f" STEADYSTATE {s.steadystate}"
    if s.if_error is None:
        return [text]
    return _braced(text.lstrip() + " IFERROR ", s.if_error, depth)


def _table(s: ast.Table, depth: int, pad: str) -> list[str]:
    text = f"{pad}TABLE"
    if s.names:
        text += " " + ", ".join(s.names)
    if s.depend:
        text += " DEPEND " + ", ".join(s.depend)
    return [f"{text} FROM {expr(s.start)} TO {expr(s.stop)} WITH {s.count}"]


def _reaction(s: ast.Reaction, depth: int, pad: str) -> list[str]:
    lhs = _reactants(s.lhs)
    if s.op == "<->" and s.backward is not None:
        return [f"{pad}~ {lhs} <-> {_reactants(s.rhs)} ({expr(s.forward)}, {expr(s.backward)})"]
    return [f"{pad}~ {lhs} {s.op} ({expr(s.forward)})"]


def _spatial(s: ast.Compartment | ast.LongitudinalDiffusion, depth: int, pad: str) -> list[str]:
    kw, amount = ("COMPARTMENT", s.volume) if isinstance(s, ast.Compartment) else ("LONGITUDINAL_DIFFUSION", s.rate)
    index = f"{s.index}, " if s.index is not None else ""
    return [f"{pad}{kw} {index}{expr(amount)} {{ {' '.join(s.names)} }}"]


def _from(s: ast.From, depth: int, pad: str) -> list[str]:
    by = f" BY {expr(s.step)}" if s.step is not None else ""
    return _braced(f"FROM {s.var} = {expr(s.start)} TO {expr(s.stop)}{by} ", s.body, depth)


def _watch(s: ast.Watch, depth: int, pad: str) -> list[str]:
    conds = ", ".join(f"({_sum_level(c.lhs)} {c.op} {_sum_level(c.rhs)}) {expr(c.flag)}" for c in s.conditions)
    return [f"{pad}WATCH {conds}"]


_STATEMENTS: dict[type, Callable[[Any, int, str], list[str]]] = {
    ast.Assign: lambda s, depth, pad: [f"{pad}{expr(s.target)} = {expr(s.value)}"],
    ast.Local: lambda s, depth, pad: [pad + _local(s)],
    ast.ExprStatement: lambda s, depth, pad: [pad + expr(s.expr)],
    ast.Equation: lambda s, depth, pad: [f"{pad}~ {_sum_level(s.lhs)} = {expr(s.rhs)}"],
    ast.Block: lambda s, depth, pad: _braced("", s.body, depth),
    ast.If: lambda s, depth, pad: _if(s, depth, pad),
    ast.While: lambda s, depth, pad: _braced(f"while ({expr(s.condition)}) ", s.body, depth),
    ast.From: _from,
    ast.Solve: _solve,
    ast.Table: _table,
    ast.Reaction: _reaction,
    ast.Conserve: lambda s, depth, pad: [f"{pad}CONSERVE {_reactants(s.lhs)} = {expr(s.rhs)}"],
    ast.Compartment: _spatial,
    ast.LongitudinalDiffusion: _spatial,
    ast.Lag: lambda s, depth, pad: [f"{pad}LAG {s.name} BY {s.by}"],
    ast.Verbatim: lambda s, depth, pad: [f"VERBATIM{s.text}ENDVERBATIM"],
    ast.Protect: lambda s, depth, pad: [f"{pad}PROTECT {expr(s.statement.target)} = {expr(s.statement.value)}"],
    ast.MutexLock: lambda s, depth, pad: [pad + "MUTEXLOCK"],
    ast.MutexUnlock: lambda s, depth, pad: [pad + "MUTEXUNLOCK"],
    ast.UnitsSwitch: lambda s, depth, pad: [pad + ("UNITSON" if s.on else "UNITSOFF")],
    ast.Conductance: lambda s, depth, pad: [f"{pad}CONDUCTANCE {s.name}"
                                            + (f" USEION {s.ion}" if s.ion is not None else "")],
    ast.Watch: _watch,
    ast.ForNetcons: lambda s, depth, pad: _braced(f"FOR_NETCONS({_params(s.params)}) ", s.body, depth),
    ast.InitialStatement: lambda s, depth, pad: _braced("INITIAL ", s.body, depth),
}


def _if(s: ast.If, depth: int, pad: str) -> list[str]:
    lines = _braced(f"if ({expr(s.condition)}) ", s.body, depth)
    if s.orelse is None:
        return lines
    if len(s.orelse) == 1 and isinstance(s.orelse[0], ast.If):
        rest = _if(s.orelse[0], depth, pad)
        lines[-1] += " else " + rest[0].lstrip()
        return lines + rest[1:]
    rest = _braced("", s.orelse, depth)
    lines[-1] += " else " + rest[0].lstrip()
    return lines + rest[1:]


def _local(s: ast.Local) -> str:
    return "LOCAL " + ", ".join(v.name if v.size is None else f"{v.name}[{v.size}]" for v in s.names)


def _units(u: str | None) -> str:
    return f" ({u})" if u is not None else ""


def _params(ps: tuple[ast.Param, ...]) -> str:
    return ", ".join(p.name + _units(p.units) for p in ps)


# --------------------------------------------------------------------------- top-level items


def _value(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _neuron_stmt(s: ast.Node) -> str:
    if isinstance(s, ast.Suffix):
        return f"{s.kind} {s.name}"
    if isinstance(s, ast.UseIon):
        text = f"USEION {s.ion}"
        if s.read:
            text += " READ " + ", ".join(s.read)
        if s.write:
            text += " WRITE " + ", ".join(s.write)
        if s.valence is not None:
            text += f" VALENCE {_value(s.valence)}"
        if s.represents is not None:
            text += f" REPRESENTS {s.represents}"
        return text
    if isinstance(s, ast.NameList):
        return f"{s.keyword} {', '.join(s.names)}"
    if isinstance(s, ast.Threadsafe):
        return "THREADSAFE"
    if isinstance(s, ast.Represents):
        return f"REPRESENTS {s.ontology}"
    raise TypeError(f"not a NEURON block statement: {type(s).__name__}")


def _declaration(d: ast.Declaration, kind: str) -> str:
    text = d.name
    if d.size is not None:
        text += f"[{d.size}]"
    if d.value is not None:
        text += f" = {_num(d.value)}"
    if d.from_to is not None:
        text += f" FROM {_num(d.from_to[0])} TO {_num(d.from_to[1])}"
    if d.with_ is not None:
        text += f" WITH {d.with_}"
    if d.start is not None:
        text += f" START {_num(d.start)}"
    text += _units(d.units)
    if d.limits is not None:
        text += f" <{_num(d.limits[0])}, {_num(d.limits[1])}>"
    if d.abstol is not None:
        text += f" <{_num(d.abstol)}>"
    return text


_DECL_KEYWORD = {
    ast.ParameterBlock: "PARAMETER",
    ast.AssignedBlock: "ASSIGNED",
    ast.StateBlock: "STATE",
    ast.ConstantBlock: "CONSTANT",
    ast.IndependentBlock: "INDEPENDENT",
}


def _unit_definition(d: ast.UnitDef | ast.FactorDef) -> str:
    if isinstance(d, ast.UnitDef):
        return f"({d.name}) = ({d.definition})"
    if d.value is not None:
        return f"{d.name} = {_num(d.value)} ({d.units})"
    arrow = " ->" if d.arrow else ""
    return f"{d.name} = ({d.from_units}){arrow} ({d.units})"


_DECLARATION_BLOCKS = (ast.ParameterBlock, ast.AssignedBlock, ast.StateBlock, ast.ConstantBlock, ast.IndependentBlock)


def _item(i: ast.Node) -> str:
    if isinstance(i, ast.Title):
        return f"TITLE {i.text}"
    if isinstance(i, ast.Define):
        return f"DEFINE {i.name} {i.value}"
    if isinstance(i, ast.Include):
        return f'INCLUDE "{i.filename}"'
    if isinstance(i, ast.UnitsSwitch):
        return "UNITSON" if i.on else "UNITSOFF"
    if isinstance(i, ast.Local):
        return _local(i)
    if isinstance(i, ast.Verbatim):
        return f"VERBATIM{i.text}ENDVERBATIM"
    if isinstance(i, ast.NeuronBlock):
        return "NEURON {\n" + "".join(f"{_INDENT}{_neuron_stmt(s)}\n" for s in i.statements) + "}"
    if isinstance(i, ast.UnitsBlock):
        return "UNITS {\n" + "".join(f"{_INDENT}{_unit_definition(d)}\n" for d in i.definitions) + "}"
    if isinstance(i, _DECLARATION_BLOCKS):
        kw = _DECL_KEYWORD[type(i)]
        return f"{kw} {{\n" + "".join(f"{_INDENT}{_declaration(d, kw)}\n" for d in i.declarations) + "}"
    head, body = _code_block_head(i)
    if body is None:
        return head
    return "\n".join(_braced(head + " ", body, 0))


def _solvefor(b: ast.KineticBlock | ast.LinearBlock | ast.NonLinearBlock) -> str:
    return f" SOLVEFOR {', '.join(b.solvefor)}" if b.solvefor else ""


def _code_block_head(i: ast.Node) -> tuple[str, tuple | None]:
    """The header line of a code block and its statements (None for FUNCTION_TABLE)."""
    form = _CODE_BLOCKS.get(type(i))
    if form is None:
        raise TypeError(f"not an NMODL top-level item: {type(i).__name__}")
    return form(i), (i.body if isinstance(i, ast.CodeBlock) else None)


_CODE_BLOCKS: dict[type, Callable[[Any], str]] = {
    ast.InitialBlock: lambda i: "INITIAL",
    ast.BreakpointBlock: lambda i: "BREAKPOINT",
    ast.DerivativeBlock: lambda i: f"DERIVATIVE {i.name}",
    ast.KineticBlock: lambda i: f"KINETIC {i.name}{_solvefor(i)}",
    ast.LinearBlock: lambda i: f"LINEAR {i.name}{_solvefor(i)}",
    ast.NonLinearBlock: lambda i: f"NONLINEAR {i.name}{_solvefor(i)}",
    ast.DiscreteBlock: lambda i: f"DISCRETE {i.name}",
    ast.ProcedureBlock: lambda i: f"PROCEDURE {i.name}({_params(i.params)}){_units(i.units)}",
    ast.FunctionBlock: lambda i: f"FUNCTION {i.name}({_params(i.params)}){_units(i.units)}",
    ast.FunctionTableBlock: lambda i: f"FUNCTION_TABLE {i.name}({_params(i.params)}){_units(i.units)}",
    ast.NetReceiveBlock: lambda i: f"NET_RECEIVE({_params(i.params)})",
    ast.BeforeAfterBlock: lambda i: f"{i.when} {i.point}",
    ast.ConstructorBlock: lambda i: "CONSTRUCTOR",
    ast.DestructorBlock: lambda i: "DESTRUCTOR",
}

_EXPR_TYPES = ast.Expr.__args__
_STMT_TYPES = ast.Stmt.__args__
_ITEM_ONLY = (ast.Local, ast.UnitsSwitch, ast.Verbatim)  # also top-level items: printed without indentation
