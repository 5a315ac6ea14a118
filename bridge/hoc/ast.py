"""Typed syntax tree of HOC, as produced by `bridge.hoc.parse`.

Every node carries `loc` (a `SourceLocation`). Expressions do not know what a
name means: `soma.L`, `dend[2](0.5)` and `v.x[3]` are all `Member`/`Index`/`Call`
chains resolved by the interpreter, as NEURON resolves them at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.errors import SourceLocation


@dataclass
class Node:
    loc: SourceLocation


# -- expressions ------------------------------------------------------------------
@dataclass
class Num(Node):
    value: float


@dataclass
class Str(Node):
    value: str


@dataclass
class Name(Node):
    name: str


@dataclass
class Arg(Node):
    """`$1` (kind ""), `$o1` ("o"), `$s1` ("s"), `$&1` ("&")."""

    kind: str
    index: int


@dataclass
class Index(Node):
    target: Node
    index: Node


@dataclass
class Member(Node):
    target: Node
    name: str


@dataclass
class Call(Node):
    func: Node
    args: list[Node]


@dataclass
class New(Node):
    template: str
    args: list[Node]


@dataclass
class Unary(Node):
    op: str  # "-" or "!"
    operand: Node


@dataclass
class Binary(Node):
    op: str  # + - * / % ^ == != < <= > >= && ||
    left: Node
    right: Node


@dataclass
class Assign(Node):
    op: str  # = += -= *= /=
    target: Node
    value: Node


@dataclass
class RangeArg(Node):
    """`a:b` inside a range variable's parentheses, `diam(0:1) = 2:3`."""

    lo: Node
    hi: Node


@dataclass
class Pointer(Node):
    """`&x`, `&soma.v(0.5)` as a call argument."""

    target: Node


# -- statements -------------------------------------------------------------------
@dataclass
class ExprStmt(Node):
    """An expression as a statement; `echo` when it stands alone at top level, where NEURON
    prints its value (`load_file("x")` prints 1 unless written `{ load_file("x") }`)."""

    expr: Node
    echo: bool = False


@dataclass
class Taper(Node):
    """`diam(0:1) = 2:3` (or `diam = 2:3`): a range variable set along a linear ramp."""

    target: Node
    op: str
    lo: Node
    hi: Node


@dataclass
class Block(Node):
    body: list[Node]


@dataclass
class If(Node):
    cond: Node
    then: Node
    orelse: Node | None


@dataclass
class While(Node):
    cond: Node
    body: Node


@dataclass
class ForC(Node):
    init: Node | None
    cond: Node | None
    step: Node | None
    body: Node


@dataclass
class ForRange(Node):
    """`for i = a, b stmt`."""

    var: Node
    lo: Node
    hi: Node
    body: Node


@dataclass
class ForSegment(Node):
    """`for (x) stmt` (with_ends None) or `for (x, 0) stmt`."""

    var: str
    with_ends: Node | None
    body: Node


@dataclass
class ForIterator(Node):
    """`for it(args) stmt`, `for obj.it(args) stmt`: runs an iterator."""

    call: Call
    body: Node


@dataclass
class Forall(Node):
    body: Node


@dataclass
class Forsec(Node):
    """`forsec "regex" stmt` or `forsec sectionlist stmt`; `ifsec` when only_current."""

    target: Node
    body: Node
    only_current: bool = False


@dataclass
class SectionStmt(Node):
    """`soma stmt`: `stmt` runs with `section` as the currently accessed section."""

    section: Node
    body: Node


@dataclass
class Decl(Node):
    name: str
    dims: list[Node] = field(default_factory=list)


@dataclass
class Create(Node):
    decls: list[Decl]


@dataclass
class Access(Node):
    section: Node


@dataclass
class Connect(Node):
    """`connect child(end), parent(x)` or `connect child(end), x` (parent: current section)."""

    child: Node
    parent: Node


@dataclass
class Insert(Node):
    mechanism: str
    remove: bool = False


@dataclass
class Setpointer(Node):
    target: Node
    source: Node


@dataclass
class Print(Node):
    items: list[Node]


@dataclass
class Return(Node):
    value: Node | None


@dataclass
class Break(Node):
    pass


@dataclass
class Continue(Node):
    pass


@dataclass
class Stop(Node):
    pass


@dataclass
class IteratorStatement(Node):
    pass


@dataclass
class DoubleDecl(Node):
    decls: list[Decl]


@dataclass
class Strdef(Node):
    names: list[str]


@dataclass
class Objref(Node):
    decls: list[Decl]


@dataclass
class Local(Node):
    names: list[str]
    objects: bool = False


@dataclass
class FuncDef(Node):
    """`proc`, `func`, `obfunc` or `iterator` definition."""

    kind: str
    name: str
    body: Block


@dataclass
class Template(Node):
    """`begintemplate Name ... endtemplate Name`; body holds every statement between."""

    name: str
    body: list[Node]


@dataclass
class Public(Node):
    names: list[str]


@dataclass
class External(Node):
    names: list[str]


@dataclass
class DeleteSymbol(Node):
    name: str


@dataclass
class DepVar(Node):
    """`depvar a, b`: the unknowns of HOC's equation solver (src/oc/nonlin.cpp `hoc_dep_make`)."""

    names: list[str]


@dataclass
class Equation(Node):
    """`eqn x:: lhs = rhs` (`init`: the row starts from zero) or `eqn x: = rhs` (rhs terms added);
    `assign` is the `lhs = rhs` (or None with `rhs` alone), as NEURON's parse.ypp `eqn_list`."""

    name: str
    init: bool
    assign: Node | None
    rhs: Node | None = None


@dataclass
class Program(Node):
    body: list[Node]
    source: str = ""
