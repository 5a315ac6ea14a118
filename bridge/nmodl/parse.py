"""NMODL text → typed syntax tree (`bridge.nmodl.ast`).

`parse(text, filename)` reads a whole `.mod` file with the LALR grammar
`grammar/nmodl.lark`; on each reduction the parser calls the builder method named
after the rule (`_Build`, one small method per rule), which returns a frozen
dataclass of `ast.py` (no intermediate parse tree). Every failure is an
`NmodlSyntaxError` with file, line, column, the source line with a caret and
what was expected in plain words; no Lark exception escapes.
"""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path

import lark
import threading

from lark import Token
from lark.exceptions import UnexpectedInput

from bridge.errors import NmodlSyntaxError, SourceLocation
from bridge.grammar import grammar_text
from bridge.nmodl import ast
from bridge.nmodl.diagnostics import syntax_error

_LOCK = threading.Lock()

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
def _parser() -> tuple[lark.Lark, "_Build"]:
    reserved: set[str] = set()

    def check_name(tok: Token) -> Token:
        if tok.value in reserved:
            raise _Invalid(f"'{tok.value}' is a keyword and cannot be used here", tok.line, tok.column)
        return tok

    parser = lark.Lark(
        grammar_text("nmodl.lark"),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=True,
        lexer_callbacks={"NAME": check_name},
    )
    reserved.update(_reserved_words(parser))
    build = _Build()
    _install_builders(parser, build)
    return parser, build


class _Integer(int):
    """An integer literal that remembers its token's position (for the enclosing rule's location)."""

    def __new__(cls, tok: Token):
        self = super().__new__(cls, str(tok))
        self.line, self.column = tok.line, tok.column
        return self


def _first_location(children, filename: str) -> SourceLocation | None:
    """Where the first of a reduction's children (all of them, keywords included) starts."""
    for c in children:
        if isinstance(c, (Token, _Integer)):
            return SourceLocation(filename, c.line, c.column)
        if isinstance(c, ast.Node):
            if c.loc is not None:
                return c.loc
        elif isinstance(c, tuple):
            for x in c:
                if isinstance(x, ast.Node) and x.loc is not None:
                    return x.loc
    return None


def _install_builders(parser: lark.Lark, build: _Build) -> None:
    """Make the LALR parser call `build`'s methods on each reduction instead of building a tree.

    Lark's own inline transformers cannot see positions; here each builder gets the
    location of the rule's first token, keywords included, which Lark's child filter
    would drop. (Uses Lark's ParseTreeBuilder; lark is pinned below 1.4.)
    """
    from lark.parse_tree_builder import ParseTreeBuilder

    trees = ParseTreeBuilder(parser.rules, lark.Tree, False, False, True)
    callbacks = {}
    for rule, wrappers in trees.rule_builders:
        name = rule.alias or rule.options.template_source or rule.origin.name
        if name in _BINARY_OPS:
            method = build.binary(_BINARY_OPS[name])
        else:
            method = getattr(build, name, None)
        if method is None:
            # Lark's helper rules (`__item_star_0` for `item*`) build small trees that their parent
            # inlines; `?rules` pass their single child through. Any other rule needs a builder.
            if not (name.startswith("_") or rule.options.expand1):
                raise AssertionError(f"no builder for grammar rule {name!r}")
            f = partial(lark.Tree, name)
        else:
            f = _Reduce(method)
        for w in wrappers:
            f = w(f)
        callbacks[rule] = f if method is None else _Located(f, build)
    parser.parser.parser.parser.callbacks = callbacks


class _Reduce:
    """The innermost callback: the builder method with the location `_Located` found."""

    __slots__ = ("method", "loc")

    def __init__(self, method):
        self.method, self.loc = method, None

    def __call__(self, children):
        return self.method(self.loc, children)


class _Located:
    """The outermost callback: finds the location in the unfiltered children, then reduces."""

    __slots__ = ("inner", "reduce", "build")

    def __init__(self, inner, build: _Build):
        self.inner, self.build = inner, build
        self.reduce = inner
        while not isinstance(self.reduce, _Reduce):
            self.reduce = self.reduce.node_builder

    def __call__(self, children):
        self.reduce.loc = _first_location(children, self.build.filename)
        return self.inner(children)


def _number(tok: Token, negative: bool = False, loc: SourceLocation | None = None) -> ast.Number:
    text = ("-" if negative else "") + str(tok)
    return ast.Number(float(text), text, loc=loc)


def _units(tok: Token | None) -> str | None:
    return None if tok is None else str(tok)[1:-1].strip()


class _Build:
    """One method per grammar rule, called by the parser on each reduction (no parse tree is built).

    Each method takes `loc`, the `SourceLocation` of the rule's first token (keywords
    included), and `c`, the rule's kept children, and returns an `ast` node (or a helper
    value for an enclosing rule). `filename` is set for each parse.
    """

    def __init__(self, filename: str = "<string>"):
        self.filename = filename

    def _tloc(self, tok: Token) -> SourceLocation:
        return SourceLocation(self.filename, tok.line, tok.column)

    # ------------------------------------------------------------ top level

    def start(self, loc, items):
        return ast.Program(tuple(items), filename=self.filename, loc=loc)

    def title(self, loc, c):
        return ast.Title(str(c[0])[len("TITLE"):].strip(), loc=loc)

    def define(self, loc, c):
        return ast.Define(str(c[0]), int(c[1]), loc=loc)

    def integer(self, loc, c):
        tok = c[0]
        if not str(tok).isdigit():
            raise _Invalid(f"expected an integer, found {tok}", tok.line, tok.column)
        return _Integer(tok)

    def include(self, loc, c):
        return ast.Include(str(c[0])[1:-1], loc=loc)

    def units_switch(self, loc, c):
        return ast.UnitsSwitch(c[0].type == "UNITSON", loc=loc)

    def verbatim(self, loc, c):
        text = str(c[0])
        return ast.Verbatim(text[len("VERBATIM"):-len("ENDVERBATIM")], loc=loc)

    # ------------------------------------------------------------ NEURON block

    def neuron_block(self, loc, c):
        return ast.NeuronBlock(tuple(c), loc=loc)

    def suffix(self, loc, c):
        return ast.Suffix(str(c[0]), str(c[1]), loc=loc)

    def suffix_keyword(self, loc, c):
        return c[0]  # the token: it carries the keyword's position to the enclosing rule

    list_keyword = suffix_keyword

    def name_list(self, loc, c):
        return tuple(str(t) for t in c)

    def name_list_statement(self, loc, c):
        return ast.NameList(str(c[0]), c[1], loc=loc)

    def threadsafe(self, loc, c):
        return ast.Threadsafe(loc=loc)

    def represents(self, loc, c):
        return ast.Represents(str(c[0]), loc=loc)

    def useion(self, loc, c):
        name, read, write, valence, represents = c
        if read is None and write is None:
            raise _Invalid("USEION needs READ or WRITE (syntax: USEION ion READ list WRITE list VALENCE z)", name.line, name.column)
        return ast.UseIon(str(name), read or (), write or (), valence, represents, loc=loc)

    def ion_read(self, loc, c):
        return c[0]

    ion_write = ion_read

    def valence(self, loc, c):
        return c[0].value

    def ion_represents(self, loc, c):
        return str(c[0])

    # ------------------------------------------------------------ declarations

    def units_block(self, loc, c):
        return ast.UnitsBlock(tuple(c), loc=loc)

    def unit_def(self, loc, c):
        return ast.UnitDef(_units(c[0]), _units(c[1]), loc=loc)

    def factor_value(self, loc, c):
        return ast.FactorDef(str(c[0]), c[1], _units(c[2]), loc=loc)

    def factor_units(self, loc, c):
        return ast.FactorDef(str(c[0]), None, _units(c[2]), from_units=_units(c[1]), loc=loc)

    def factor_arrow(self, loc, c):
        return ast.FactorDef(str(c[0]), None, _units(c[2]), from_units=_units(c[1]), arrow=True, loc=loc)

    def parameter_block(self, loc, c):
        return ast.ParameterBlock(tuple(c), loc=loc)

    def parameter_value(self, loc, c):
        name, value, units, limits = c
        return ast.Declaration(str(name), value=value, units=_units(units), limits=limits, loc=loc)

    def parameter_plain(self, loc, c):
        name, units, limits = c
        return ast.Declaration(str(name), units=_units(units), limits=limits, loc=loc)

    def parameter_array(self, loc, c):
        name, size, units, limits = c
        return ast.Declaration(str(name), units=_units(units), limits=limits, size=size, loc=loc)

    def limits(self, loc, c):
        return (c[0], c[1])

    def assigned_block(self, loc, c):
        return ast.AssignedBlock(tuple(c), loc=loc)

    def state_block(self, loc, c):
        return ast.StateBlock(tuple(c), loc=loc)

    def dependent(self, loc, c):
        name, size, from_to, start, units, abstol = c
        return ast.Declaration(name, units=_units(units), size=size, from_to=from_to, start=start, abstol=abstol, loc=loc)

    def dependent_name(self, loc, c):
        return str(c[0])

    def array_size(self, loc, c):
        return int(c[0]) if isinstance(c[0], int) else str(c[0])

    def from_to(self, loc, c):
        return (c[0], c[1])

    def start_value(self, loc, c):
        return c[0]

    def abstol(self, loc, c):
        return c[0]

    def constant_block(self, loc, c):
        return ast.ConstantBlock(tuple(c), loc=loc)

    def constant(self, loc, c):
        return ast.Declaration(str(c[0]), value=c[1], units=_units(c[2]), loc=loc)

    def independent_block(self, loc, c):
        return ast.IndependentBlock(tuple(c), loc=loc)

    def independent(self, loc, c):
        _sweep, name, lo, hi, with_, start, units = c
        return ast.Declaration(str(name), units=_units(units), from_to=(lo, hi), start=start, with_=int(with_), loc=loc)

    def negative_number(self, loc, c):
        return _number(c[0], negative=True, loc=loc)

    # ------------------------------------------------------------ code blocks

    def block(self, loc, c):
        local, *stmts = c
        return ((local,) if local is not None else ()) + tuple(stmts)

    def local(self, loc, c):
        return ast.Local(tuple(c), loc=loc)

    def local_var(self, loc, c):
        return ast.LocalVar(str(c[0]), c[1], loc=loc)

    def params(self, loc, c):
        return tuple(c)

    def param(self, loc, c):
        return ast.Param(str(c[0]), _units(c[1]), loc=loc)

    def solvefor(self, loc, c):
        return c[0]

    def initial_block(self, loc, c):
        return ast.InitialBlock(c[0], loc=loc)

    def breakpoint_block(self, loc, c):
        return ast.BreakpointBlock(c[0], loc=loc)

    def derivative_block(self, loc, c):
        return ast.DerivativeBlock(str(c[0]), c[1], loc=loc)

    def kinetic_block(self, loc, c):
        return ast.KineticBlock(str(c[0]), c[2], c[1] or (), loc=loc)

    def linear_block(self, loc, c):
        return ast.LinearBlock(str(c[0]), c[2], c[1] or (), loc=loc)

    def nonlinear_block(self, loc, c):
        return ast.NonLinearBlock(str(c[0]), c[2], c[1] or (), loc=loc)

    def discrete_block(self, loc, c):
        return ast.DiscreteBlock(str(c[0]), c[1], loc=loc)

    def procedure_block(self, loc, c):
        return ast.ProcedureBlock(str(c[0]), c[1] or (), c[3], _units(c[2]), loc=loc)

    def function_block(self, loc, c):
        return ast.FunctionBlock(str(c[0]), c[1] or (), c[3], _units(c[2]), loc=loc)

    def function_table_block(self, loc, c):
        return ast.FunctionTableBlock(str(c[0]), c[1] or (), _units(c[2]), loc=loc)

    def net_receive_block(self, loc, c):
        return ast.NetReceiveBlock(c[0] or (), c[1], loc=loc)

    def before_after_block(self, loc, c):
        return ast.BeforeAfterBlock(str(c[0]), str(c[1]), c[2], loc=loc)

    before_after = suffix_keyword
    ba_point = suffix_keyword
    solve_how = suffix_keyword
    watch_direction = suffix_keyword

    def constructor_block(self, loc, c):
        return ast.ConstructorBlock(c[0], loc=loc)

    def destructor_block(self, loc, c):
        return ast.DestructorBlock(c[0], loc=loc)

    # ------------------------------------------------------------ statements

    def assignment(self, loc, c):
        self._plain(c[0]), self._plain(c[1])
        return ast.Assign(c[0], c[1], loc=loc)

    def expr_statement(self, loc, c):
        return ast.ExprStatement(c[0], loc=loc)

    def nested_block(self, loc, c):
        return ast.Block(c[0], loc=loc)

    def if_statement(self, loc, c):
        cond, body, orelse = c
        if isinstance(orelse, ast.If):
            orelse = (orelse,)
        return ast.If(self._plain(cond), body, orelse, loc=loc)

    def while_statement(self, loc, c):
        return ast.While(self._plain(c[0]), c[1], loc=loc)

    def from_statement(self, loc, c):
        var, start, stop, step, body = c
        return ast.From(str(var), start, stop, step, body, loc=loc)

    def solve(self, loc, c):
        name, how, method, if_error = c
        return ast.Solve(
            str(name),
            method=str(method) if how == "METHOD" else None,
            steadystate=str(method) if how == "STEADYSTATE" else None,
            if_error=if_error,
            loc=loc,
        )

    def table(self, loc, c):
        names, depend, start, stop, count = c
        return ast.Table(names or (), depend or (), start, stop, int(count), loc=loc)

    def equation(self, loc, c):
        return ast.Equation(self._plain(c[0]), c[1], loc=loc)

    def reaction_both(self, loc, c):
        return ast.Reaction(self._reactants(c[0]), "<->", c[1], c[2], c[3], loc=loc)

    def reaction_flux(self, loc, c):
        return ast.Reaction(self._reactants(c[0]), "<<", (), c[1], loc=loc)

    def reaction_sink(self, loc, c):
        return ast.Reaction(self._reactants(c[0]), "->", (), c[1], loc=loc)

    def coefficient_term(self, loc, c):
        coefficient, name, index = c
        return ast.Reactant(str(name), int(coefficient), index, loc=loc)

    def reactants(self, loc, c):
        return tuple(c)

    def reactant(self, loc, c):
        coefficient, name, index = c
        return ast.Reactant(str(name), int(coefficient) if coefficient is not None else 1, index, loc=loc)

    def conserve(self, loc, c):
        return ast.Conserve(c[0], c[1], loc=loc)

    def compartment(self, loc, c):
        index, volume, *names = c
        return ast.Compartment(str(index) if index is not None else None, volume, tuple(str(n) for n in names), loc=loc)

    def longitudinal_diffusion(self, loc, c):
        index, rate, *names = c
        return ast.LongitudinalDiffusion(str(index) if index is not None else None, rate, tuple(str(n) for n in names), loc=loc)

    def lag(self, loc, c):
        return ast.Lag(str(c[0]), str(c[1]), loc=loc)

    def protect(self, loc, c):
        return ast.Protect(c[0], loc=loc)

    def mutex_lock(self, loc, c):
        return ast.MutexLock(loc=loc)

    def mutex_unlock(self, loc, c):
        return ast.MutexUnlock(loc=loc)

    def conductance(self, loc, c):
        return ast.Conductance(str(c[0]), str(c[1]) if c[1] is not None else None, loc=loc)

    def watch(self, loc, c):
        return ast.Watch(tuple(c), loc=loc)

    def watch_condition(self, loc, c):
        return ast.WatchCondition(c[0], str(c[1]), c[2], c[3], loc=loc)

    def for_netcons(self, loc, c):
        return ast.ForNetcons(c[0] or (), c[1], loc=loc)

    def initial_statement(self, loc, c):
        return ast.InitialStatement(c[0], loc=loc)

    # ------------------------------------------------------------ expressions

    def name(self, loc, c):
        return ast.Name(str(c[0]), loc=loc)

    def indexed(self, loc, c):
        return ast.Indexed(str(c[0]), c[1], loc=loc)

    def prime(self, loc, c):
        text = str(c[0])
        base = text.rstrip("'")
        return ast.Prime(base, len(text) - len(base), loc=loc)

    def prime_indexed(self, loc, c):
        p = self.prime(loc, c[:1])
        return ast.Prime(p.name, p.order, c[1], loc=p.loc)

    def discrete_value(self, loc, c):
        return ast.DiscreteValue(str(c[0]), int(c[1]), c[2], loc=loc)

    def number(self, loc, c):
        return _number(c[0], loc=loc)

    def unit_number(self, loc, c):
        return ast.UnitNumber(_number(c[0], loc=self._tloc(c[0])), _units(c[1]), loc=loc)

    def string(self, loc, c):
        return ast.String(str(c[0])[1:-1], loc=loc)

    def call(self, loc, c):
        name, *args = c
        args = tuple(a for a in args if a is not None)
        return ast.Call(str(name), args, loc=loc)

    def negate(self, loc, c):
        return ast.Unary("-", c[0], loc=loc)

    def logical_not(self, loc, c):
        return ast.Unary("!", c[0], loc=loc)

    def binary(self, op: str):
        """The builder of a binary-operator rule (`add`, `lt`, ...)."""

        def build(loc, c):
            return ast.Binary(op, c[0], c[1], loc=loc)

        return build

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
    parser, build = _parser()
    with _LOCK:  # one builder, whose `filename` is per parse
        build.filename = filename
        try:
            return parser.parse(text)
        except _Invalid as err:
            raise NmodlSyntaxError(err.message, SourceLocation(filename, err.line, err.column), text) from None
        except UnexpectedInput as err:
            terminals = {t.name: t for t in parser.terminals}
            raise syntax_error(err, text, filename, terminals) from None
        except lark.exceptions.LarkError as err:  # pragma: no cover - defensive
            raise NmodlSyntaxError(str(err), SourceLocation(filename, 1, 1), text) from None


def parse_file(path: str | Path) -> ast.Program:
    """Parse the `.mod` file at `path` (read as UTF-8, undecodable bytes replaced)."""
    p = Path(path)
    text = p.read_bytes().decode("utf-8", errors="replace")
    return parse(text, filename=str(p))
