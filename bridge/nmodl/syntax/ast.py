"""The typed syntax tree of an NMODL file.

Small frozen dataclasses, one per construct of the language as NEURON 9's
`nocmodl` accepts it. Every node carries `loc`, the `SourceLocation` of its
first token; `loc` takes no part in equality (`compare=False`), so two trees
parsed from differently formatted text compare equal when they mean the same.

The tree keeps the file's structure and names as written (no symbol
resolution, no unit conversion): later stages (analysis, code generation) walk
it. Three families of nodes:

- expressions (`Expr`): `Number`, `UnitNumber`, `String`, `Name`, `Indexed`,
  `Prime`, `Call`, `Unary`, `Binary` (parentheses are implied by the tree);
- statements (`Stmt`): what appears inside `{ ... }` blocks (`Assign`,
  `Local`, `If`, `Solve`, `Reaction`, ...);
- top-level items (`Item`): declaration blocks (`NeuronBlock`,
  `ParameterBlock`, ...) and code blocks (`InitialBlock`, `DerivativeBlock`,
  `ProcedureBlock`, ...), gathered in a `Program`.

Units are kept as the text between the parentheses (`"mV"`, `"S/cm2"`).
Numbers keep their value (`float`) and, for printing, their source text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from bridge.errors import SourceLocation


@dataclass(frozen=True)
class Node:
    """Base of every node. `loc` is where the construct starts (ignored by `==`)."""

    loc: SourceLocation | None = field(default=None, compare=False, repr=False, kw_only=True)


# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Number(Node):
    """A numeric literal. `value` as float; `text` as written (`.12`, `1e-3`; ignored by `==`)."""

    value: float
    text: str = field(default="", compare=False)

    @property
    def is_integer(self) -> bool:
        """True when written without a decimal point or exponent (`3`, not `3.0`)."""
        t = self.text.lstrip("-")
        return t.isdigit()


@dataclass(frozen=True)
class UnitNumber(Node):
    """A number followed by units in an expression: `1 (mV)`, `96485.3 (coul)`.

    nocmodl uses the plain value; the units are checked by `modlunit` only.
    """

    number: Number
    units: str


@dataclass(frozen=True)
class String(Node):
    """A double-quoted string argument of a call (`printf("x=%g", x)`); `value` without quotes."""

    value: str


@dataclass(frozen=True)
class Name(Node):
    """A variable reference: `v`, `gnabar`, `celsius`."""

    name: str


@dataclass(frozen=True)
class Indexed(Node):
    """An array element `name[index]` (states and locals can be arrays)."""

    name: str
    index: Expr


@dataclass(frozen=True)
class Prime(Node):
    """The time derivative of a state: `m'` (order 1), `x''` (order 2), `A'[i]` (indexed)."""

    name: str
    order: int = 1
    index: Expr | None = None


@dataclass(frozen=True)
class DiscreteValue(Node):
    """A state's value some steps back in a DISCRETE block: `x@1` (lag 1), `A@1[i]`."""

    name: str
    lag: int
    index: Expr | None = None


@dataclass(frozen=True)
class Call(Node):
    """A function or procedure call `name(arg, ...)` (also builtins: `exp`, `net_send`, ...)."""

    name: str
    args: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class Unary(Node):
    """A prefix operator: `op` is `"-"` (negation) or `"!"` (logical not)."""

    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary(Node):
    """A binary operation. `op` is one of `+ - * / ^ < <= > >= == != && ||`.

    Precedence (nocmodl's, low to high): `||`, `&&`, relational, `+ -`,
    `* /`, unary `- !`, `^` (right associative). So `-x^2` is `-(x^2)`.
    """

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class IonValue(Node):
    """The value an ion holds now at the instance's segment, as VERBATIM C reads it (`_ion_cai`, nocmodl's
    macro for the ion's storage): what the ion held when the block began, this mechanism's own write-back
    coming only after the block. Made by the VERBATIM translation (bridge.nmodl.analysis.verbatim), never
    by the NMODL grammar. `name` is the concentration (`cai`)."""

    name: str


@dataclass(frozen=True)
class CInt(Node):
    """C's conversion of a double to `int` (a cast `(int)x`, an assignment to an `int`, C's integer
    arithmetic): truncation toward zero. Made by the VERBATIM translation (bridge.nmodl.syntax.verbatim),
    never by the NMODL grammar."""

    operand: Expr


Expr = (Number | UnitNumber | String | Name | Indexed | Prime | DiscreteValue | Call | Unary | Binary | IonValue
        | CInt)


# --------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class LocalVar(Node):
    """One name of a LOCAL statement; `size` for `LOCAL a[4]` (an int, or a DEFINEd name)."""

    name: str
    size: int | str | None = None


@dataclass(frozen=True)
class Local(Node):
    """`LOCAL a, b[3]` (inside a block, or at top level as file-scope locals)."""

    names: tuple[LocalVar, ...]


@dataclass(frozen=True)
class Assign(Node):
    """`target = value`. `target` is a `Name`, an `Indexed` or a `Prime` (`m' = (minf-m)/mtau`
    is an ODE of a DERIVATIVE block)."""

    target: Name | Indexed | Prime | DiscreteValue
    value: Expr


@dataclass(frozen=True)
class Equation(Node):
    """`~ lhs = rhs` of a LINEAR or NONLINEAR block."""

    lhs: Expr
    rhs: Expr


@dataclass(frozen=True)
class ExprStatement(Node):
    """A call used as a statement: `rates(v)`, `net_send(0, 1)`."""

    expr: Expr


@dataclass(frozen=True)
class Block(Node):
    """A nested `{ ... }` statement list."""

    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class If(Node):
    """`IF (condition) { body } ELSE { orelse }`; `ELSE IF` is an `If` alone in `orelse`.
    `orelse` is `None` when there is no ELSE."""

    condition: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] | None = None


@dataclass(frozen=True)
class While(Node):
    """`WHILE (condition) { body }`."""

    condition: Expr
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class From(Node):
    """`FROM var = start TO stop BY step { body }` (integer loop, bounds inclusive)."""

    var: str
    start: Expr
    stop: Expr
    step: Expr | None
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class Solve(Node):
    """`SOLVE name METHOD method` or `SOLVE name STEADYSTATE method` (both optional).
    `if_error` holds an `IFERROR { ... }` body when present."""

    name: str
    method: str | None = None
    steadystate: str | None = None
    if_error: tuple[Stmt, ...] | None = None


@dataclass(frozen=True)
class Table(Node):
    """`TABLE names DEPEND depend FROM start TO stop WITH count` inside a FUNCTION/PROCEDURE.

    `names` is empty for a FUNCTION's own value (`TABLE DEPEND ... FROM ...`)."""

    names: tuple[str, ...]
    depend: tuple[str, ...]
    start: Expr
    stop: Expr
    count: int


@dataclass(frozen=True)
class Reactant(Node):
    """One term of a reaction side: `2 A` is `Reactant("A", 2)`; `A[i]` has `index`."""

    name: str
    coefficient: int = 1
    index: Expr | None = None


@dataclass(frozen=True)
class Reaction(Node):
    """A KINETIC reaction.

    - `~ A + B <-> C (kf, kb)`: op `"<->"`, `rhs` and both rates;
    - `~ A << (flux)`: op `"<<"`, `rhs` empty, `forward` is the flux;
    - `~ A -> (rate)`: op `"->"`, `rhs` empty, `forward` is the rate.
    """

    lhs: tuple[Reactant, ...]
    op: str
    rhs: tuple[Reactant, ...]
    forward: Expr
    backward: Expr | None = None


@dataclass(frozen=True)
class Conserve(Node):
    """`CONSERVE A + B + 2 C = total`."""

    lhs: tuple[Reactant, ...]
    rhs: Expr


@dataclass(frozen=True)
class Compartment(Node):
    """`COMPARTMENT volume { A B }` or `COMPARTMENT i, volume[i] { A }` (`index` is `"i"`)."""

    index: str | None
    volume: Expr
    names: tuple[str, ...]


@dataclass(frozen=True)
class LongitudinalDiffusion(Node):
    """`LONGITUDINAL_DIFFUSION rate { A }` or with an index as COMPARTMENT."""

    index: str | None
    rate: Expr
    names: tuple[str, ...]


@dataclass(frozen=True)
class Lag(Node):
    """`LAG name BY tau`."""

    name: str
    by: str


@dataclass(frozen=True)
class Verbatim(Node):
    """`VERBATIM ... ENDVERBATIM`: C code kept as opaque text (without the keywords)."""

    text: str


@dataclass(frozen=True)
class Protect(Node):
    """`PROTECT x = expr` (an assignment done under a mutex)."""

    statement: Assign


@dataclass(frozen=True)
class MutexLock(Node):
    """`MUTEXLOCK`."""


@dataclass(frozen=True)
class MutexUnlock(Node):
    """`MUTEXUNLOCK`."""


@dataclass(frozen=True)
class UnitsSwitch(Node):
    """`UNITSON` (`on=True`) or `UNITSOFF`: only toggles unit checking; also a top-level item."""

    on: bool


@dataclass(frozen=True)
class Conductance(Node):
    """`CONDUCTANCE g` or `CONDUCTANCE g USEION ion`: a hint that skips NEURON's finite difference."""

    name: str
    ion: str | None = None


@dataclass(frozen=True)
class WatchCondition(Node):
    """One `(lhs > rhs) flag` of a WATCH statement; `op` is `">"` or `"<"`."""

    lhs: Expr
    op: str
    rhs: Expr
    flag: Expr


@dataclass(frozen=True)
class Watch(Node):
    """`WATCH (v > thresh) 2, (v < 0) 3` in a NET_RECEIVE INITIAL or elsewhere."""

    conditions: tuple[WatchCondition, ...]


@dataclass(frozen=True)
class ForNetcons(Node):
    """`FOR_NETCONS(w, ...) { body }` inside NET_RECEIVE."""

    params: tuple[Param, ...]
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class InitialStatement(Node):
    """The `INITIAL { ... }` nested inside a NET_RECEIVE block."""

    body: tuple[Stmt, ...]


Stmt = (
    Local | Assign | Equation | ExprStatement | Block | If | While | From | Solve | Table | Reaction | Conserve
    | Compartment | LongitudinalDiffusion | Lag | Verbatim | Protect | MutexLock | MutexUnlock | UnitsSwitch
    | Conductance | Watch | ForNetcons | InitialStatement
)


# --------------------------------------------------------------------------- NEURON block


@dataclass(frozen=True)
class Suffix(Node):
    """`SUFFIX hh`, `POINT_PROCESS IClamp` or `ARTIFICIAL_CELL NetStim` (`kind` is the keyword)."""

    kind: str
    name: str


@dataclass(frozen=True)
class UseIon(Node):
    """`USEION ca READ cai, cao WRITE ica VALENCE 2 REPRESENTS CHEBI:29108`."""

    ion: str
    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    valence: float | None = None
    represents: str | None = None


@dataclass(frozen=True)
class NameList(Node):
    """A NEURON-block list statement. `keyword` is one of `RANGE GLOBAL NONSPECIFIC_CURRENT
    ELECTRODE_CURRENT POINTER BBCOREPOINTER EXTERNAL RANDOM`."""

    keyword: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Threadsafe(Node):
    """`THREADSAFE` (optionally followed by names in old files)."""

    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Represents(Node):
    """`REPRESENTS NCIT:C17145`: an ontology annotation of the mechanism."""

    ontology: str


NeuronStmt = Suffix | UseIon | NameList | Threadsafe | Represents


@dataclass(frozen=True)
class NeuronBlock(Node):
    """The `NEURON { ... }` block: the mechanism's interface to NEURON.

    Properties collect its statements (a file may repeat a keyword; lists are joined
    in source order)."""

    statements: tuple[NeuronStmt, ...]

    @property
    def suffix_statement(self) -> Suffix | None:
        return next((s for s in self.statements if isinstance(s, Suffix)), None)

    @property
    def name(self) -> str | None:
        """The mechanism name (`hh`, `IClamp`), or None when absent."""
        s = self.suffix_statement
        return s.name if s else None

    @property
    def kind(self) -> str | None:
        """`"SUFFIX"` (density mechanism), `"POINT_PROCESS"` or `"ARTIFICIAL_CELL"`."""
        s = self.suffix_statement
        return s.kind if s else None

    @property
    def is_point_process(self) -> bool:
        return self.kind in ("POINT_PROCESS", "ARTIFICIAL_CELL")

    @property
    def ions(self) -> tuple[UseIon, ...]:
        return tuple(s for s in self.statements if isinstance(s, UseIon))

    def names_of(self, keyword: str) -> tuple[str, ...]:
        """All names listed after `keyword` (e.g. `"RANGE"`), in source order."""
        return tuple(n for s in self.statements if isinstance(s, NameList) and s.keyword == keyword for n in s.names)

    @property
    def range(self) -> tuple[str, ...]:
        return self.names_of("RANGE")

    @property
    def global_(self) -> tuple[str, ...]:
        return self.names_of("GLOBAL")

    @property
    def nonspecific_currents(self) -> tuple[str, ...]:
        return self.names_of("NONSPECIFIC_CURRENT")

    @property
    def electrode_currents(self) -> tuple[str, ...]:
        return self.names_of("ELECTRODE_CURRENT")

    @property
    def pointers(self) -> tuple[str, ...]:
        return self.names_of("POINTER")

    @property
    def bbcore_pointers(self) -> tuple[str, ...]:
        return self.names_of("BBCOREPOINTER")

    @property
    def externals(self) -> tuple[str, ...]:
        return self.names_of("EXTERNAL")

    @property
    def randoms(self) -> tuple[str, ...]:
        return self.names_of("RANDOM")

    @property
    def threadsafe(self) -> bool:
        return any(isinstance(s, Threadsafe) for s in self.statements)


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Declaration(Node):
    """One variable of a PARAMETER, ASSIGNED, STATE, CONSTANT or INDEPENDENT block.

    - `value`: the default (`gnabar = .12`), None when not given (NEURON then uses 0);
    - `units`: text inside the parentheses, `"S/cm2"`;
    - `limits`: `<lo, hi>` (PARAMETER) as a pair of numbers;
    - `size`: array length for `x[4]` (an int, or a DEFINEd name as written);
    - `from_to`: `FROM lo TO hi` (STATE/ASSIGNED/INDEPENDENT);
    - `start`: `START value` (STATE), `with_`: `WITH n` (INDEPENDENT);
    - `abstol`: `<tol>` (STATE, an absolute tolerance for CVODE).
    """

    name: str
    value: Number | None = None
    units: str | None = None
    limits: tuple[Number, Number] | None = None
    size: int | str | None = None
    from_to: tuple[Number, Number] | None = None
    start: Number | None = None
    with_: int | None = None
    abstol: Number | None = None


@dataclass(frozen=True)
class ParameterBlock(Node):
    """`PARAMETER { ... }`."""

    declarations: tuple[Declaration, ...]


@dataclass(frozen=True)
class AssignedBlock(Node):
    """`ASSIGNED { ... }` (also the old keyword `DEPENDENT`)."""

    declarations: tuple[Declaration, ...]


@dataclass(frozen=True)
class StateBlock(Node):
    """`STATE { ... }`."""

    declarations: tuple[Declaration, ...]


@dataclass(frozen=True)
class ConstantBlock(Node):
    """`CONSTANT { ... }`."""

    declarations: tuple[Declaration, ...]


@dataclass(frozen=True)
class IndependentBlock(Node):
    """`INDEPENDENT { t FROM 0 TO 1 WITH 1 (ms) }` (NEURON ignores it: t is always the independent)."""

    declarations: tuple[Declaration, ...]


@dataclass(frozen=True)
class UnitDef(Node):
    """`(mM) = (milli/liter)` in a UNITS block: a new unit name."""

    name: str
    definition: str


@dataclass(frozen=True)
class FactorDef(Node):
    """A named constant in a UNITS block.

    - `FARADAY = 96485.3 (coul)`: `value` and `units`;
    - `FARADAY = (faraday) (coulomb)`: `from_units` and `units` (a conversion factor,
      computed from NEURON's units database);
    - `foot2inch = (foot) -> (inch)`: same, `arrow=True`.
    """

    name: str
    value: Number | None
    units: str
    from_units: str | None = None
    arrow: bool = False


@dataclass(frozen=True)
class UnitsBlock(Node):
    """`UNITS { ... }`."""

    definitions: tuple[UnitDef | FactorDef, ...]


@dataclass(frozen=True)
class Title(Node):
    """`TITLE text` (the rest of the line, stripped)."""

    text: str


@dataclass(frozen=True)
class Define(Node):
    """`DEFINE NAME 4`: a named integer constant substituted in the text."""

    name: str
    value: int


@dataclass(frozen=True)
class Include(Node):
    """`INCLUDE "file.inc"`."""

    filename: str


# --------------------------------------------------------------------------- code blocks


@dataclass(frozen=True)
class Param(Node):
    """A formal argument of a FUNCTION/PROCEDURE/NET_RECEIVE: `v (mV)`."""

    name: str
    units: str | None = None


@dataclass(frozen=True)
class InitialBlock(Node):
    """`INITIAL { ... }`."""

    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class BreakpointBlock(Node):
    """`BREAKPOINT { ... }`: currents, with `SOLVE` statements for the state update."""

    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class DerivativeBlock(Node):
    """`DERIVATIVE name { ... }`: ODEs `x' = ...`."""

    name: str
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class KineticBlock(Node):
    """`KINETIC name SOLVEFOR a, b { ... }`: reactions, CONSERVE, COMPARTMENT."""

    name: str
    body: tuple[Stmt, ...]
    solvefor: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinearBlock(Node):
    """`LINEAR name SOLVEFOR a, b { ~ lhs = rhs ... }`."""

    name: str
    body: tuple[Stmt, ...]
    solvefor: tuple[str, ...] = ()


@dataclass(frozen=True)
class NonLinearBlock(Node):
    """`NONLINEAR name SOLVEFOR a, b { ~ lhs = rhs ... }`."""

    name: str
    body: tuple[Stmt, ...]
    solvefor: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiscreteBlock(Node):
    """`DISCRETE name { ... }`."""

    name: str
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class ProcedureBlock(Node):
    """`PROCEDURE name(args) { ... }` (may contain a TABLE statement)."""

    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    units: str | None = None


@dataclass(frozen=True)
class FunctionBlock(Node):
    """`FUNCTION name(args) (units) { ... }`; assigning `name = ...` sets the return value."""

    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    units: str | None = None


@dataclass(frozen=True)
class FunctionTableBlock(Node):
    """`FUNCTION_TABLE name(args) (units)`: values supplied from HOC with `table_name()`."""

    name: str
    params: tuple[Param, ...]
    units: str | None = None


@dataclass(frozen=True)
class NetReceiveBlock(Node):
    """`NET_RECEIVE(w, ...) { ... }`; a nested INITIAL is an `InitialStatement` in `body`."""

    params: tuple[Param, ...]
    body: tuple[Stmt, ...]

    @property
    def initial(self) -> InitialStatement | None:
        return next((s for s in self.body if isinstance(s, InitialStatement)), None)


@dataclass(frozen=True)
class BeforeAfterBlock(Node):
    """`BEFORE BREAKPOINT { ... }`, `AFTER SOLVE { ... }`: `when` is `"BEFORE"` or `"AFTER"`,
    `point` one of `BREAKPOINT SOLVE INITIAL STEP`."""

    when: str
    point: str
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class ConstructorBlock(Node):
    """`CONSTRUCTOR { ... }` (usually VERBATIM)."""

    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class DestructorBlock(Node):
    """`DESTRUCTOR { ... }`."""

    body: tuple[Stmt, ...]


Item = (
    Title | Define | Include | UnitsSwitch | Local | Verbatim | NeuronBlock | UnitsBlock | ParameterBlock
    | AssignedBlock | StateBlock | ConstantBlock | IndependentBlock | InitialBlock | BreakpointBlock
    | DerivativeBlock | KineticBlock | LinearBlock | NonLinearBlock | DiscreteBlock | ProcedureBlock
    | FunctionBlock | FunctionTableBlock | NetReceiveBlock | BeforeAfterBlock | ConstructorBlock | DestructorBlock
)

# Top-level blocks of statements (they have a `body`).
CodeBlock = (
    InitialBlock | BreakpointBlock | DerivativeBlock | KineticBlock | LinearBlock | NonLinearBlock | DiscreteBlock
    | ProcedureBlock | FunctionBlock | NetReceiveBlock | BeforeAfterBlock | ConstructorBlock | DestructorBlock
)

# Blocks with a `name` (what `SOLVE name` or a call refers to).
NamedBlock = (
    DerivativeBlock | KineticBlock | LinearBlock | NonLinearBlock | DiscreteBlock | ProcedureBlock | FunctionBlock
    | FunctionTableBlock
)


# --------------------------------------------------------------------------- program


@dataclass(frozen=True)
class Program(Node):
    """A whole `.mod` file: its top-level items in source order, plus easy access by kind."""

    items: tuple[Item, ...]
    filename: str = field(default="<string>", compare=False)
    # stepforce() data files: (name, x values, y values), read by bridge.nmodl.syntax.forcing
    forcing: tuple[tuple[str, tuple[float, ...], tuple[float, ...]], ...] = field(default=(), compare=False)
    # every name (NAME token) with the (line, column) where the lexer first met it, in that order: the order
    # nocmodl installs its symbols in, which numbers a KINETIC scheme's states (bridge.nmodl.codegen.kinetic)
    names: tuple[tuple[str, int, int], ...] = field(default=(), compare=False)

    def of_type(self, cls: type) -> tuple:
        """All top-level items that are instances of `cls`, in source order."""
        return tuple(i for i in self.items if isinstance(i, cls))

    @property
    def title(self) -> str | None:
        t = self.of_type(Title)
        return t[0].text if t else None

    @property
    def neuron(self) -> NeuronBlock:
        """The NEURON block (all NEURON blocks joined; empty if the file has none)."""
        blocks = self.of_type(NeuronBlock)
        if len(blocks) == 1:
            return blocks[0]
        return NeuronBlock(tuple(s for b in blocks for s in b.statements), loc=blocks[0].loc if blocks else None)

    def _declarations(self, cls: type) -> tuple[Declaration, ...]:
        return tuple(d for b in self.of_type(cls) for d in b.declarations)

    @property
    def parameters(self) -> tuple[Declaration, ...]:
        return self._declarations(ParameterBlock)

    @property
    def assigned(self) -> tuple[Declaration, ...]:
        return self._declarations(AssignedBlock)

    @property
    def states(self) -> tuple[Declaration, ...]:
        return self._declarations(StateBlock)

    @property
    def constants(self) -> tuple[Declaration, ...]:
        return self._declarations(ConstantBlock)

    @property
    def units(self) -> tuple[UnitDef | FactorDef, ...]:
        return tuple(d for b in self.of_type(UnitsBlock) for d in b.definitions)

    @property
    def defines(self) -> dict[str, int]:
        return {d.name: d.value for d in self.of_type(Define)}

    @property
    def initial(self) -> InitialBlock | None:
        b = self.of_type(InitialBlock)
        return b[0] if b else None

    @property
    def breakpoint(self) -> BreakpointBlock | None:
        b = self.of_type(BreakpointBlock)
        return b[0] if b else None

    @property
    def net_receive(self) -> NetReceiveBlock | None:
        b = self.of_type(NetReceiveBlock)
        return b[0] if b else None

    @property
    def named_blocks(self) -> dict[str, NamedBlock]:
        """Blocks that have a name (DERIVATIVE, KINETIC, PROCEDURE, FUNCTION, ...), by name."""
        return {i.name: i for i in self.items if isinstance(i, NamedBlock)}

    def block(self, name: str) -> NamedBlock | None:
        """The named block `name` (what `SOLVE name` refers to), or None."""
        return self.named_blocks.get(name)

    @property
    def procedures(self) -> dict[str, ProcedureBlock]:
        return {b.name: b for b in self.of_type(ProcedureBlock)}

    @property
    def functions(self) -> dict[str, FunctionBlock]:
        return {b.name: b for b in self.of_type(FunctionBlock)}

    @property
    def derivatives(self) -> dict[str, DerivativeBlock]:
        return {b.name: b for b in self.of_type(DerivativeBlock)}

    @property
    def kinetics(self) -> dict[str, KineticBlock]:
        return {b.name: b for b in self.of_type(KineticBlock)}


# --------------------------------------------------------------------------- walking


def children(node: Node) -> Iterator[Node]:
    """The direct child nodes of `node` (in field order; tuples are flattened)."""
    for name in node.__dataclass_fields__:
        if name == "loc":
            continue
        value = getattr(node, name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, tuple):
            for v in value:
                if isinstance(v, Node):
                    yield v
                elif isinstance(v, tuple):
                    yield from (w for w in v if isinstance(w, Node))


def walk(node: Node) -> Iterator[Node]:
    """`node` and all its descendants, depth first in source order.

    Iterative (an explicit stack), so a tree of any depth is walked without recursion."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(tuple(children(node))))
