"""NMODL text → typed syntax tree (`bridge.nmodl.ast`).

`parse(text, filename)` reads a whole `.mod` file with the LALR grammar
`grammar/nmodl.lark` and a Lark `Transformer` that builds the frozen dataclasses
of `ast.py`, one small method per grammar rule. Every failure is an
`NmodlSyntaxError` with file, line, column, the source line with a caret and
what was expected in plain words; no Lark exception escapes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import lark
from lark import Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError

from bridge.errors import NmodlSyntaxError, SourceLocation
from bridge.grammar import grammar_text
from bridge.nmodl import ast
from bridge.nmodl.diagnostics import syntax_error

_BINARY_OPS = {
    "or_": "||", "and_": "&&", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!=",
    "add": "+", "sub": "-", "mul": "*", "div": "/", "power": "^",
}


class _Invalid(Exception):
    """Raised while lexing or transforming for a construct the grammar admits but NMODL does not."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


# Keywords that nocmodl reserves although our contextual lexer would read them as names
# where no keyword is expected (`LOCAL` in the middle of a block). IFERROR is not reserved.
_NOT_RESERVED = {"IFERROR"}


def _reserved_words(parser: lark.Lark) -> frozenset[str]:
    words = set()
    for term in parser.terminals:
        value = getattr(term.pattern, "value", "")
        if term.pattern.type == "str" and value.replace("_", "a").isalnum() and not value[0].isdigit():
            words.add(value)
    return frozenset(words - _NOT_RESERVED)


@lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    reserved: set[str] = set()

    def check_name(tok: Token) -> Token:
        if tok.value in reserved:
            raise _Invalid(f"'{tok.value}' is a keyword and cannot be used here", tok.line, tok.column)
        return tok

    parser = lark.Lark(
        grammar_text("nmodl.lark"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        lexer_callbacks={"NAME": check_name},
    )
    reserved.update(_reserved_words(parser))
    return parser


def _number(tok: Token, negative: bool = False, loc: SourceLocation | None = None) -> ast.Number:
    text = ("-" if negative else "") + str(tok)
    return ast.Number(float(text), text, loc=loc)


def _units(tok: Token | None) -> str | None:
    return None if tok is None else str(tok)[1:-1].strip()


@v_args(meta=True)
class _Build(Transformer):
    """One method per grammar rule; each returns an `ast` node (or a helper tuple)."""

    def __init__(self, filename: str):
        super().__init__(visit_tokens=False)
        self.filename = filename

    def _loc(self, meta) -> SourceLocation | None:
        if getattr(meta, "empty", True):
            return None
        return SourceLocation(self.filename, meta.line, meta.column)

    def _tloc(self, tok: Token) -> SourceLocation:
        return SourceLocation(self.filename, tok.line, tok.column)

    # ------------------------------------------------------------ top level

    def start(self, meta, items):
        return ast.Program(tuple(items), filename=self.filename, loc=self._loc(meta))

    def title(self, meta, c):
        return ast.Title(str(c[0])[len("TITLE"):].strip(), loc=self._loc(meta))

    def define(self, meta, c):
        return ast.Define(str(c[0]), c[1], loc=self._loc(meta))

    def integer(self, meta, c):
        tok = c[0]
        if not str(tok).isdigit():
            raise _Invalid(f"expected an integer, found {tok}", tok.line, tok.column)
        return int(tok)

    def include(self, meta, c):
        return ast.Include(str(c[0])[1:-1], loc=self._loc(meta))

    def units_switch(self, meta, c):
        return ast.UnitsSwitch(c[0].type == "UNITSON", loc=self._loc(meta))

    def verbatim(self, meta, c):
        text = str(c[0])
        return ast.Verbatim(text[len("VERBATIM"):-len("ENDVERBATIM")], loc=self._loc(meta))

    # ------------------------------------------------------------ NEURON block

    def neuron_block(self, meta, c):
        return ast.NeuronBlock(tuple(c), loc=self._loc(meta))

    def suffix(self, meta, c):
        return ast.Suffix(c[0], str(c[1]), loc=self._loc(meta))

    def suffix_keyword(self, meta, c):
        return str(c[0])

    def list_keyword(self, meta, c):
        return str(c[0])

    def name_list(self, meta, c):
        return tuple(str(t) for t in c)

    def name_list_statement(self, meta, c):
        return ast.NameList(c[0], c[1], loc=self._loc(meta))

    def threadsafe(self, meta, c):
        return ast.Threadsafe(loc=self._loc(meta))

    def represents(self, meta, c):
        return ast.Represents(str(c[0]), loc=self._loc(meta))

    def useion(self, meta, c):
        name, read, write, valence, represents = c
        if read is None and write is None:
            raise _Invalid("USEION needs READ or WRITE (syntax: USEION ion READ list WRITE list VALENCE z)", name.line, name.column)
        return ast.UseIon(str(name), read or (), write or (), valence, represents, loc=self._loc(meta))

    def ion_read(self, meta, c):
        return c[0]

    ion_write = ion_read

    def valence(self, meta, c):
        return c[0].value

    def ion_represents(self, meta, c):
        return str(c[0])

    # ------------------------------------------------------------ declarations

    def units_block(self, meta, c):
        return ast.UnitsBlock(tuple(c), loc=self._loc(meta))

    def unit_def(self, meta, c):
        return ast.UnitDef(_units(c[0]), _units(c[1]), loc=self._loc(meta))

    def factor_value(self, meta, c):
        return ast.FactorDef(str(c[0]), c[1], _units(c[2]), loc=self._loc(meta))

    def factor_units(self, meta, c):
        return ast.FactorDef(str(c[0]), None, _units(c[2]), from_units=_units(c[1]), loc=self._loc(meta))

    def factor_arrow(self, meta, c):
        return ast.FactorDef(str(c[0]), None, _units(c[2]), from_units=_units(c[1]), arrow=True, loc=self._loc(meta))

    def parameter_block(self, meta, c):
        return ast.ParameterBlock(tuple(c), loc=self._loc(meta))

    def parameter_value(self, meta, c):
        name, value, units, limits = c
        return ast.Declaration(str(name), value=value, units=_units(units), limits=limits, loc=self._loc(meta))

    def parameter_plain(self, meta, c):
        name, units, limits = c
        return ast.Declaration(str(name), units=_units(units), limits=limits, loc=self._loc(meta))

    def parameter_array(self, meta, c):
        name, size, units, limits = c
        return ast.Declaration(str(name), units=_units(units), limits=limits, size=size, loc=self._loc(meta))

    def limits(self, meta, c):
        return (c[0], c[1])

    def assigned_block(self, meta, c):
        return ast.AssignedBlock(tuple(c), loc=self._loc(meta))

    def state_block(self, meta, c):
        return ast.StateBlock(tuple(c), loc=self._loc(meta))

    def dependent(self, meta, c):
        name, size, from_to, start, units, abstol = c
        return ast.Declaration(name, units=_units(units), size=size, from_to=from_to, start=start, abstol=abstol, loc=self._loc(meta))

    def dependent_name(self, meta, c):
        return str(c[0])

    def array_size(self, meta, c):
        return c[0] if isinstance(c[0], int) else str(c[0])

    def from_to(self, meta, c):
        return (c[0], c[1])

    def start_value(self, meta, c):
        return c[0]

    def abstol(self, meta, c):
        return c[0]

    def constant_block(self, meta, c):
        return ast.ConstantBlock(tuple(c), loc=self._loc(meta))

    def constant(self, meta, c):
        return ast.Declaration(str(c[0]), value=c[1], units=_units(c[2]), loc=self._loc(meta))

    def independent_block(self, meta, c):
        return ast.IndependentBlock(tuple(c), loc=self._loc(meta))

    def independent(self, meta, c):
        _sweep, name, lo, hi, with_, start, units = c
        return ast.Declaration(str(name), units=_units(units), from_to=(lo, hi), start=start, with_=with_, loc=self._loc(meta))

    def negative_number(self, meta, c):
        return _number(c[0], negative=True, loc=self._loc(meta))

    # ------------------------------------------------------------ code blocks

    def block(self, meta, c):
        local, *stmts = c
        return ((local,) if local is not None else ()) + tuple(stmts)

    def local(self, meta, c):
        return ast.Local(tuple(c), loc=self._loc(meta))

    def local_var(self, meta, c):
        return ast.LocalVar(str(c[0]), c[1], loc=self._loc(meta))

    def params(self, meta, c):
        return tuple(c)

    def param(self, meta, c):
        return ast.Param(str(c[0]), _units(c[1]), loc=self._loc(meta))

    def solvefor(self, meta, c):
        return c[0]

    def initial_block(self, meta, c):
        return ast.InitialBlock(c[0], loc=self._loc(meta))

    def breakpoint_block(self, meta, c):
        return ast.BreakpointBlock(c[0], loc=self._loc(meta))

    def derivative_block(self, meta, c):
        return ast.DerivativeBlock(str(c[0]), c[1], loc=self._loc(meta))

    def kinetic_block(self, meta, c):
        return ast.KineticBlock(str(c[0]), c[2], c[1] or (), loc=self._loc(meta))

    def linear_block(self, meta, c):
        return ast.LinearBlock(str(c[0]), c[2], c[1] or (), loc=self._loc(meta))

    def nonlinear_block(self, meta, c):
        return ast.NonLinearBlock(str(c[0]), c[2], c[1] or (), loc=self._loc(meta))

    def discrete_block(self, meta, c):
        return ast.DiscreteBlock(str(c[0]), c[1], loc=self._loc(meta))

    def procedure_block(self, meta, c):
        return ast.ProcedureBlock(str(c[0]), c[1] or (), c[3], _units(c[2]), loc=self._loc(meta))

    def function_block(self, meta, c):
        return ast.FunctionBlock(str(c[0]), c[1] or (), c[3], _units(c[2]), loc=self._loc(meta))

    def function_table_block(self, meta, c):
        return ast.FunctionTableBlock(str(c[0]), c[1] or (), _units(c[2]), loc=self._loc(meta))

    def net_receive_block(self, meta, c):
        return ast.NetReceiveBlock(c[0] or (), c[1], loc=self._loc(meta))

    def before_after_block(self, meta, c):
        return ast.BeforeAfterBlock(c[0], c[1], c[2], loc=self._loc(meta))

    before_after = suffix_keyword
    ba_point = suffix_keyword
    solve_how = suffix_keyword
    watch_direction = suffix_keyword

    def constructor_block(self, meta, c):
        return ast.ConstructorBlock(c[0], loc=self._loc(meta))

    def destructor_block(self, meta, c):
        return ast.DestructorBlock(c[0], loc=self._loc(meta))

    # ------------------------------------------------------------ statements

    def assignment(self, meta, c):
        self._plain(c[0]), self._plain(c[1])
        return ast.Assign(c[0], c[1], loc=self._loc(meta))

    def expr_statement(self, meta, c):
        return ast.ExprStatement(c[0], loc=self._loc(meta))

    def nested_block(self, meta, c):
        return ast.Block(c[0], loc=self._loc(meta))

    def if_statement(self, meta, c):
        cond, body, orelse = c
        if isinstance(orelse, ast.If):
            orelse = (orelse,)
        return ast.If(self._plain(cond), body, orelse, loc=self._loc(meta))

    def while_statement(self, meta, c):
        return ast.While(self._plain(c[0]), c[1], loc=self._loc(meta))

    def from_statement(self, meta, c):
        var, start, stop, step, body = c
        return ast.From(str(var), start, stop, step, body, loc=self._loc(meta))

    def solve(self, meta, c):
        name, how, method, if_error = c
        return ast.Solve(
            str(name),
            method=str(method) if how == "METHOD" else None,
            steadystate=str(method) if how == "STEADYSTATE" else None,
            if_error=if_error,
            loc=self._loc(meta),
        )

    def table(self, meta, c):
        names, depend, start, stop, count = c
        return ast.Table(names or (), depend or (), start, stop, count, loc=self._loc(meta))

    def equation(self, meta, c):
        return ast.Equation(self._plain(c[0]), c[1], loc=self._loc(meta))

    def reaction_both(self, meta, c):
        return ast.Reaction(self._reactants(c[0]), "<->", c[1], c[2], c[3], loc=self._loc(meta))

    def reaction_flux(self, meta, c):
        return ast.Reaction(self._reactants(c[0]), "<<", (), c[1], loc=self._loc(meta))

    def reaction_sink(self, meta, c):
        return ast.Reaction(self._reactants(c[0]), "->", (), c[1], loc=self._loc(meta))

    def coefficient_term(self, meta, c):
        coefficient, name, index = c
        return ast.Reactant(str(name), coefficient, index, loc=self._loc(meta))

    def reactants(self, meta, c):
        return tuple(c)

    def reactant(self, meta, c):
        coefficient, name, index = c
        return ast.Reactant(str(name), coefficient if coefficient is not None else 1, index, loc=self._loc(meta))

    def conserve(self, meta, c):
        return ast.Conserve(c[0], c[1], loc=self._loc(meta))

    def compartment(self, meta, c):
        index, volume, *names = c
        return ast.Compartment(str(index) if index is not None else None, volume, tuple(str(n) for n in names), loc=self._loc(meta))

    def longitudinal_diffusion(self, meta, c):
        index, rate, *names = c
        return ast.LongitudinalDiffusion(str(index) if index is not None else None, rate, tuple(str(n) for n in names), loc=self._loc(meta))

    def lag(self, meta, c):
        return ast.Lag(str(c[0]), str(c[1]), loc=self._loc(meta))

    def protect(self, meta, c):
        return ast.Protect(c[0], loc=self._loc(meta))

    def mutex_lock(self, meta, c):
        return ast.MutexLock(loc=self._loc(meta))

    def mutex_unlock(self, meta, c):
        return ast.MutexUnlock(loc=self._loc(meta))

    def conductance(self, meta, c):
        return ast.Conductance(str(c[0]), str(c[1]) if c[1] is not None else None, loc=self._loc(meta))

    def watch(self, meta, c):
        return ast.Watch(tuple(c), loc=self._loc(meta))

    def watch_condition(self, meta, c):
        return ast.WatchCondition(c[0], c[1], c[2], c[3], loc=self._loc(meta))

    def for_netcons(self, meta, c):
        return ast.ForNetcons(c[0] or (), c[1], loc=self._loc(meta))

    def initial_statement(self, meta, c):
        return ast.InitialStatement(c[0], loc=self._loc(meta))

    # ------------------------------------------------------------ expressions

    def name(self, meta, c):
        return ast.Name(str(c[0]), loc=self._loc(meta))

    def indexed(self, meta, c):
        return ast.Indexed(str(c[0]), c[1], loc=self._loc(meta))

    def prime(self, meta, c):
        text = str(c[0])
        base = text.rstrip("'")
        return ast.Prime(base, len(text) - len(base), loc=self._loc(meta))

    def prime_indexed(self, meta, c):
        p = self.prime(meta, c[:1])
        return ast.Prime(p.name, p.order, c[1], loc=p.loc)

    def discrete_value(self, meta, c):
        return ast.DiscreteValue(str(c[0]), c[1], c[2], loc=self._loc(meta))

    def number(self, meta, c):
        return _number(c[0], loc=self._loc(meta))

    def unit_number(self, meta, c):
        return ast.UnitNumber(_number(c[0], loc=self._tloc(c[0])), _units(c[1]), loc=self._loc(meta))

    def string(self, meta, c):
        return ast.String(str(c[0])[1:-1], loc=self._loc(meta))

    def call(self, meta, c):
        name, *args = c
        args = tuple(a for a in args if a is not None)
        return ast.Call(str(name), args, loc=self._loc(meta))

    def negate(self, meta, c):
        return ast.Unary("-", c[0], loc=self._loc(meta))

    def logical_not(self, meta, c):
        return ast.Unary("!", c[0], loc=self._loc(meta))

    def __default__(self, data, children, meta):
        op = _BINARY_OPS.get(data)
        if op is None:  # pragma: no cover - every rule has a method
            raise _Invalid(f"internal: no builder for rule {data!r}", meta.line, meta.column)
        return ast.Binary(op, children[0], children[1], loc=self._loc(meta))

    # ------------------------------------------------------------ checks

    def _plain(self, expr):
        """An expression outside a reaction must not hold a `2 A` reactant term."""
        for node in ast.walk(expr):
            if isinstance(node, ast.Reactant):
                loc = node.loc or SourceLocation(self.filename, 0, 0)
                raise _Invalid("a stoichiometric term like '2 A' is only allowed in a KINETIC reaction", loc.line, loc.column)
        return expr

    def _reactants(self, side) -> tuple[ast.Reactant, ...]:
        """The left side of a reaction, read as an expression, as a tuple of reactants."""
        if isinstance(side, ast.Binary) and side.op == "+":
            return self._reactants(side.left) + self._reactants(side.right)
        if isinstance(side, ast.Reactant):
            return (side,)
        if isinstance(side, ast.Name):
            return (ast.Reactant(side.name, 1, None, loc=side.loc),)
        if isinstance(side, ast.Indexed):
            return (ast.Reactant(side.name, 1, side.index, loc=side.loc),)
        loc = side.loc or SourceLocation(self.filename, 0, 0)
        raise _Invalid("a reaction side must be names joined by '+' (e.g. '2 A + B')", loc.line, loc.column)


def parse(text: str, filename: str = "<string>") -> ast.Program:
    """Parse NMODL source `text` into an `ast.Program`. Raises `NmodlSyntaxError`."""
    parser = _parser()
    try:
        tree = parser.parse(text)
    except _Invalid as err:
        raise NmodlSyntaxError(err.message, SourceLocation(filename, err.line, err.column), text) from None
    except UnexpectedInput as err:
        terminals = {t.name: t for t in parser.terminals}
        raise syntax_error(err, text, filename, terminals) from None
    except lark.exceptions.LarkError as err:  # pragma: no cover - defensive
        raise NmodlSyntaxError(str(err), SourceLocation(filename, 1, 1), text) from None
    try:
        return _Build(filename).transform(tree)
    except VisitError as err:
        inner = err.orig_exc
        if isinstance(inner, _Invalid):
            raise NmodlSyntaxError(inner.message, SourceLocation(filename, inner.line, inner.column), text) from None
        raise inner  # a bug in a builder method, not bad input


def parse_file(path: str | Path) -> ast.Program:
    """Parse the `.mod` file at `path` (read as UTF-8, undecodable bytes replaced)."""
    p = Path(path)
    text = p.read_bytes().decode("utf-8", errors="replace")
    return parse(text, filename=str(p))
