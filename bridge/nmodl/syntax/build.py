"""Grammar rule → syntax-tree node: the builder methods the NMODL parser calls on each reduction.

`Build` has one small method per rule of `grammar/nmodl.lark` (named after the rule
or its alias); each takes the location of the rule's first token and the rule's kept
children and returns a node of `bridge.nmodl.syntax.ast` (or a helper value for the
enclosing rule). A construct that the grammar admits but NMODL does not (a USEION
without READ or WRITE, `2.5` as an array size, `2 A` outside a reaction) raises
`Invalid`, which `parse` reports as an `NmodlSyntaxError`.
"""

from __future__ import annotations

from lark import Token

from bridge.errors import SourceLocation
from bridge.nmodl.syntax import ast

# rule alias -> operator of the `Binary` node it builds
BINARY_OPS = {
    "or_": "||", "and_": "&&", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!=",
    "add": "+", "sub": "-", "mul": "*", "div": "/", "power": "^",
}


C_INT_MAX = 2**31 - 1  # the largest integer nocmodl's atoi reads (array sizes, WITH, DEFINE, coefficients)


class Invalid(Exception):
    """Raised while lexing or transforming for a construct the grammar admits but NMODL does not."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


# The numerical methods nocmodl knows (SOLVE ... METHOD m / STEADYSTATE m).
METHODS = frozenset({
    "adams", "runge", "euler", "adeuler", "heun", "adrunge", "gear", "newton", "simplex", "simeq", "seidel",
    "_advance", "sparse", "derivimplicit", "cnexp", "clsoda", "after_cvode", "cvode_t", "cvode_t_v",
})

# Statements that nocmodl allows only in some blocks: statement type -> (blocks, what to call it).
_ONLY_IN = {
    ast.Reaction: ({"KINETIC"}, "a reaction '~ ... <-> ...'"),
    ast.Conserve: ({"KINETIC"}, "CONSERVE"),
    ast.Compartment: ({"KINETIC"}, "COMPARTMENT"),
    ast.LongitudinalDiffusion: ({"KINETIC"}, "LONGITUDINAL_DIFFUSION"),
    ast.Equation: ({"LINEAR", "NONLINEAR"}, "an equation '~ lhs = rhs'"),
    ast.Table: ({"FUNCTION", "PROCEDURE"}, "TABLE"),
    ast.InitialStatement: ({"NET_RECEIVE"}, "INITIAL inside a block"),
    ast.ForNetcons: ({"NET_RECEIVE"}, "FOR_NETCONS"),
    ast.Watch: ({"NET_RECEIVE"}, "WATCH"),
}


def _statements(body: tuple):
    """Every statement in `body`, nested ones (IF, WHILE, FROM, { }, ...) included, in source order.

    Iterative: it runs before the nesting check (`bridge.nmodl.syntax.nesting`), on trees of any depth."""
    stack = list(reversed(body))
    while stack:
        s = stack.pop()
        yield s
        for nested in (getattr(s, "if_error", None), getattr(s, "orelse", None), getattr(s, "body", None)):
            if nested:
                stack.extend(reversed(nested))


def _checked(body: tuple, block: str) -> tuple:
    """`body` of a `block` (e.g. "KINETIC"), after checking each statement is allowed there."""
    for s in _statements(body):
        rule = _ONLY_IN.get(type(s))
        if rule is not None and block not in rule[0]:
            where = " or ".join(sorted(rule[0]))
            line, column = (s.loc.line, s.loc.column) if s.loc else (0, 0)
            raise Invalid(f"{rule[1]} is only allowed in a {where} block, not in {block}", line, column)
    return body


class Integer(int):
    """An integer literal that remembers its token's position (for the enclosing rule's location)."""

    line: int | None
    column: int | None

    def __new__(cls, tok: Token):
        self = super().__new__(cls, str(tok).lstrip("0") or "0")  # int() refuses 4,300+ digits, zeros too
        self.line, self.column = tok.line, tok.column
        return self


def _number(tok: Token, negative: bool = False, loc: SourceLocation | None = None) -> ast.Number:
    text = ("-" if negative else "") + str(tok)
    return ast.Number(float(text), text, loc=loc)


def _units(tok: Token | None) -> str | None:
    return None if tok is None else str(tok)[1:-1].strip()


class Build:
    """One method per grammar rule, called by the parser on each reduction (no parse tree is built).

    Each method takes `loc`, the `SourceLocation` of the rule's first token (keywords
    included), and `c`, the rule's kept children, and returns an `ast` node (or a helper
    value for an enclosing rule). `begin` resets it for each parse.
    """

    def __init__(self, filename: str = "<string>"):
        self.begin(filename, "")

    def begin(self, filename: str, text: str) -> None:
        """Start a new parse of `text` from `filename`."""
        self.filename, self.text = filename, text
        self.defines: set[str] = set()  # DEFINE names seen so far (array sizes may use them)
        self.names: dict[str, tuple[int, int]] = {}  # each NAME token's first (line, column), in lexing order

    def _tloc(self, tok: Token) -> SourceLocation:
        return SourceLocation(self.filename, tok.line or 0, tok.column or 0)

    # ------------------------------------------------------------ top level

    def start(self, loc, items):
        return ast.Program(tuple(items), filename=self.filename, loc=loc,
                           names=tuple((n, line, col) for n, (line, col) in self.names.items()))

    def title(self, loc, c):
        return ast.Title(str(c[0])[len("TITLE"):].strip(), loc=loc)

    def define(self, loc, c):
        self.defines.add(str(c[0]))
        return ast.Define(str(c[0]), int(c[1]), loc=loc)

    def integer(self, loc, c):
        tok = c[0]
        if not str(tok).isdigit():
            raise Invalid(f"expected an integer, found {tok}", tok.line, tok.column)
        digits = str(tok).lstrip("0")
        if len(digits) > 10 or int(digits or "0") > C_INT_MAX:  # length first: int() of 5000 digits raises
            raise Invalid(f"integer {digits[:20]}{'...' if len(digits) > 20 else ''} is too large "
                          f"(nocmodl reads it as a C int, at most {C_INT_MAX})", tok.line, tok.column)
        return Integer(tok)

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
            raise Invalid("USEION needs READ or WRITE (syntax: USEION ion READ list WRITE list VALENCE z)", name.line,
                          name.column)
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
        return ast.Declaration(str(name), units=_units(units), size=size, from_to=from_to, start=start, abstol=abstol,
                               loc=loc)

    def dependent_name(self, loc, c):
        return c[0]  # the token (a str): it carries the name's position to `dependent`'s location

    def array_size(self, loc, c):
        size = c[0]
        if isinstance(size, int):
            return int(size)
        if str(size) not in self.defines:
            raise Invalid(f"array size '{size}' is neither an integer nor a DEFINE name", size.line, size.column)
        return str(size)

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
        return ast.InitialBlock(_checked(c[0], "INITIAL"), loc=loc)

    def breakpoint_block(self, loc, c):
        return ast.BreakpointBlock(_checked(c[0], "BREAKPOINT"), loc=loc)

    def derivative_block(self, loc, c):
        return ast.DerivativeBlock(str(c[0]), _checked(c[1], "DERIVATIVE"), loc=loc)

    def kinetic_block(self, loc, c):
        return ast.KineticBlock(str(c[0]), _checked(c[2], "KINETIC"), c[1] or (), loc=loc)

    def linear_block(self, loc, c):
        return ast.LinearBlock(str(c[0]), _checked(c[2], "LINEAR"), c[1] or (), loc=loc)

    def nonlinear_block(self, loc, c):
        return ast.NonLinearBlock(str(c[0]), _checked(c[2], "NONLINEAR"), c[1] or (), loc=loc)

    def discrete_block(self, loc, c):
        return ast.DiscreteBlock(str(c[0]), _checked(c[1], "DISCRETE"), loc=loc)

    def procedure_block(self, loc, c):
        return ast.ProcedureBlock(str(c[0]), c[1] or (), _checked(c[3], "PROCEDURE"), _units(c[2]), loc=loc)

    def function_block(self, loc, c):
        return ast.FunctionBlock(str(c[0]), c[1] or (), _checked(c[3], "FUNCTION"), _units(c[2]), loc=loc)

    def function_table_block(self, loc, c):
        return ast.FunctionTableBlock(str(c[0]), c[1] or (), _units(c[2]), loc=loc)

    def net_receive_block(self, loc, c):
        return ast.NetReceiveBlock(c[0] or (), _checked(c[1], "NET_RECEIVE"), loc=loc)

    def before_after_block(self, loc, c):
        return ast.BeforeAfterBlock(str(c[0]), str(c[1]), _checked(c[2], str(c[0])), loc=loc)

    before_after = suffix_keyword
    ba_point = suffix_keyword
    solve_how = suffix_keyword
    watch_direction = suffix_keyword

    def constructor_block(self, loc, c):
        return ast.ConstructorBlock(_checked(c[0], "CONSTRUCTOR"), loc=loc)

    def destructor_block(self, loc, c):
        return ast.DestructorBlock(_checked(c[0], "DESTRUCTOR"), loc=loc)

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
        if method is not None and str(method) not in METHODS:
            raise Invalid(f"unknown method '{method}' (NEURON's methods: {', '.join(sorted(METHODS))})",
                          method.line, method.column)
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
        return ast.LongitudinalDiffusion(str(index) if index is not None else None, rate, tuple(str(n) for n in names),
                                         loc=loc)

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
                raise Invalid("a stoichiometric term like '2 A' is only allowed in a KINETIC reaction", loc.line,
                              loc.column)
        return expr

    def _reactants(self, side) -> tuple[ast.Reactant, ...]:
        """The left side of a reaction, read as an expression, as a tuple of reactants.

        Iterative (left to right over the '+' chain), as it runs before the nesting check."""
        out = []
        stack = [side]
        while stack:
            side = stack.pop()
            if isinstance(side, ast.Binary) and side.op == "+":
                stack += [side.right, side.left]
            elif isinstance(side, ast.Reactant):
                out.append(side)
            elif isinstance(side, ast.Name):
                out.append(ast.Reactant(side.name, 1, None, loc=side.loc))
            elif isinstance(side, ast.Indexed):
                out.append(ast.Reactant(side.name, 1, side.index, loc=side.loc))
            else:
                loc = side.loc or SourceLocation(self.filename, 0, 0)
                raise Invalid("a reaction side must be names joined by '+' (e.g. '2 A + B')", loc.line, loc.column)
        return tuple(out)
