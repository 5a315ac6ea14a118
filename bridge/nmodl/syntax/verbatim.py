"""VERBATIM C → syntax-tree statements, for the small subset of C that has an exact NMODL meaning.

nocmodl pastes a VERBATIM block's C into the file it compiles. `parse_verbatim` evaluates the block's
preprocessor lines (`bridge.nmodl.syntax.cpreproc`: a numeric macro becomes its number), then reads it with the
LALR grammar `grammar/verbatim_c.lark` (through `bridge.grammar.lalr`: no recursion, so no nesting
overflows Python's stack) and returns its items as nodes of `bridge.nmodl.syntax.ast`, with C's names as
written (`_lx`, `_ion_cai`, `tStart`: `bridge.nmodl.analysis.verbatim` resolves them), plus three
markers of this module: `CReturn` (`return 0;`), `CReturnValue` (`return e;`), `CFunction` (a file-level C
function), `COutput` (`printf(...)`, `fprintf(stderr, ...)`) and
`CNothing` (`#include <math.h>`, `static const char rcsid[] = "...";`, `;`), `CSwitch` (a `switch` on a C int whose
groups end in `break;`), `CBreak` (any other `break;`, refused by the analysis) and `CAssignExpr` (`(x = e)` in an
expression). An array element `Tau[i]` (an int `i`) is an `ast.Indexed`.

C's meaning is kept where NMODL's differs: an integer literal, a local declared `int`, a comparison and
`!` are C `int`s, and `+ - * /` between two of them is C's integer arithmetic (`1/2` is 0): the result
is wrapped in `ast.CInt` (truncation toward zero), as is a cast `(int)e`; `(double)e` makes an int a
double. Local declarations (`double x = e, y;`, `int i;`) become `CDecl` markers. Integer literals C
reads otherwise than decimal (`010` is octal) or beyond 2^31 - 1 are refused. A float literal is read as
C reads a `double` (correctly rounded); suffixes (`1.0f`), other types (`float`, `long`, `static`),
`%`, `^`, `?:`, `++`, loops, pointers, a switch on a double or falling through and anything else do not
parse. Whatever is outside the subset raises `VerbatimOutside` at its first token, with the file's own line and
column. The text is bounded
(`MAX_TEXT`) and the tree's depth by `Limits.max_nesting`. The text never reaches generated code: only
the nodes do, and strings only as `printf` arguments, which the analysis drops.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import lark
from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from bridge.errors import SourceLocation
from bridge.grammar.lalr import Handler, ReducingParser
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl.syntax import ast
from bridge.nmodl.syntax.cpreproc import CFile, Preprocessed, PreprocessorError, preprocess
from bridge.nmodl.syntax.nesting import depth

MAX_TEXT = 20_000  # characters of one VERBATIM block bridge will translate (the published ones: under 3,000)
C_INT_MAX = 2**31 - 1
_KEYWORD = len("VERBATIM")


@dataclass(frozen=True)
class CReturn(ast.Node):
    """`return <int>;`."""

    value: int


@dataclass(frozen=True)
class CReturnValue(ast.Node):
    """`return e;` where `e` is not an int literal (a C function's value)."""

    value: ast.Node


@dataclass(frozen=True)
class CFunction(ast.Node):
    """A file-level C function `[static] double f(double a, double b) { ... }` (`ctype` "double", "int" or
    "void"; `params`: the names of its `double` parameters; `body`: its statements)."""

    ctype: str
    name: str
    params: tuple[str, ...]
    body: tuple[ast.Node, ...]


@dataclass(frozen=True)
class CGetArg(ast.Node):
    """`*getarg(k)`: HOC's argument `k` (1-based) of the call that runs the block."""

    index: int


@dataclass(frozen=True)
class CRefused(ast.Node):
    """The body of a FUNCTION/PROCEDURE whose VERBATIM C bridge cannot run and that only HOC calls: running it
    raises `message` (where the C is) at the call (`bridge.nmodl.analysis.verbatim`)."""

    message: str


@dataclass(frozen=True)
class COutput(ast.Node):
    """`printf(...)` or `fprintf(stderr, ...)`: output only (`call` keeps the arguments to check)."""

    call: ast.Call


@dataclass(frozen=True)
class CNothing(ast.Node):
    """What C compiles to nothing that runs: `#include <h>`, a `static const char` string, `;`."""

    what: str


@dataclass(frozen=True)
class CCase(ast.Node):
    """One group of a C `switch`: its `case` values (`None`: `default`) and its statements, without the `break;`
    that ends it."""

    labels: tuple[int | None, ...]
    body: tuple[ast.Node, ...]


@dataclass(frozen=True)
class CSwitch(ast.Node):
    """`switch (e) { case 0: ... break; case 1: ... break; default: ... }` on a C int `e`: no group falls through
    into the next (each but the last ends in `break;`, the only `break` it holds)."""

    subject: ast.Node
    groups: tuple[CCase, ...]


@dataclass(frozen=True)
class CBreak(ast.Node):
    """`break;` anywhere but where a switch's group ends (the analysis refuses it)."""


@dataclass(frozen=True)
class CLabel(ast.Node):
    """`case N:` (`value` N) or `default:` (`value` None), while a switch is read."""

    value: int | None


@dataclass(frozen=True)
class CAssignExpr(ast.Node):
    """`(x = e)` in an expression: C assigns, and the expression's value is `x`'s new value."""

    assign: ast.Assign


@dataclass(frozen=True)
class CVar(ast.Node):
    """One name of a C declaration, with its initializer (`None`: none)."""

    name: str
    value: ast.Node | None = None


@dataclass(frozen=True)
class CDecl(ast.Node):
    """`double x = e, y;` or `int i;`: local variables of C type `ctype` ("double" or "int")."""

    ctype: str
    names: tuple[CVar, ...]


class VerbatimOutside(Exception):
    """The first construct of a VERBATIM block outside the subset bridge translates, and where it is."""

    def __init__(self, message: str, loc: SourceLocation):
        super().__init__(message)
        self.message, self.loc = message, loc


class _Build:
    """Builder methods, one per grammar rule; per-parse state: where the block starts, the int nodes."""

    def __init__(self) -> None:
        self.base = SourceLocation()
        self.ints: set[int] = set()  # ids of the nodes whose C type is int
        self.keep: list[ast.Node] = []  # keeps the nodes of `ints` alive during the parse
        self.int_names: set[str] = set()  # C locals declared `int` so far
        self.decl_type = "double"  # the type of the declaration being read

        self.pre = Preprocessed("", {})  # the block's preprocessor result: where each C macro is in force

    def begin(self, base: SourceLocation, int_names: frozenset[str], pre: Preprocessed) -> None:
        self.base, self.ints, self.keep, self.int_names, self.pre = base, set(), [], set(int_names), pre

    def at(self, line: int, column: int) -> SourceLocation:
        """The file's location of the block text's `line`, `column` (1-based)."""
        if line <= 1:
            return SourceLocation(self.base.filename, self.base.line, self.base.column + _KEYWORD + column - 1)
        return SourceLocation(self.base.filename, self.base.line + line - 1, column)

    def loc(self, raw: list) -> SourceLocation | None:
        for c in raw:
            if isinstance(c, Token):
                return self.at(c.line or 1, c.column or 1)
            if isinstance(c, ast.Node) and c.loc is not None:
                return c.loc
        return None

    def int_node(self, node: ast.Node) -> ast.Node:
        self.ints.add(id(node))
        self.keep.append(node)
        return node

    def is_int(self, node: ast.Node) -> bool:
        return id(node) in self.ints

    # -------------------------------------------------------------- rules

    def start(self, raw, c):
        return tuple(c)

    def include(self, raw, c):
        text = str(c[0])
        return CNothing("#include " + text[text.index("<"):], loc=self.loc(raw))

    def rcs_string(self, raw, c):
        return CNothing("static const char string", loc=self.loc(raw))

    def empty(self, raw, c):
        return CNothing(";", loc=self.loc(raw))

    def block(self, raw, c):
        return ast.Block(tuple(c), loc=self.loc(raw))

    def return_(self, raw, c):
        value = c[0]
        if isinstance(value, ast.Number) and self.is_int(value) and value.text.isdigit():
            return CReturn(int(value.text), loc=self.loc(raw))
        return CReturnValue(value, loc=self.loc(raw))

    def void(self, raw, c):
        return "void"

    def no_params(self, raw, c):
        return ()

    def param(self, raw, c):
        self._not_macro(c[0])
        self.int_names.discard(str(c[0]))
        return str(c[0])

    def params(self, raw, c):
        return tuple(c)

    def function_def(self, raw, c):
        parts = [x for x in c if x is not None]
        ctype, name = parts[0], parts[1]
        self._not_macro(name)
        rest = parts[2:]
        params: tuple[str, ...] = ()
        if rest and isinstance(rest[0], tuple):
            params, rest = rest[0], rest[1:]
        self.int_names = set()  # the function's int locals end with it
        return CFunction(ctype, str(name), params, tuple(rest), loc=self.at(name.line or 1, name.column or 1))

    def call_stmt(self, raw, c):
        call = c[0]
        if call.name in ("printf", "fprintf"):
            return COutput(call, loc=call.loc)
        return ast.ExprStatement(call, loc=call.loc)

    def ctype(self, raw, c):
        self.decl_type = str(c[0])
        return self.decl_type

    def _not_macro(self, tok: Token) -> None:
        if self.pre.macro_at(str(tok), tok.start_pos or 0) is not None:
            raise VerbatimOutside(f"the C macro {_short(str(tok))} where C needs a name", self.at(tok.line or 1,
                                                                                                 tok.column or 1))

    def init_decl(self, raw, c):
        self._not_macro(c[0])
        name = str(c[0])
        if self.decl_type == "int":
            self.int_names.add(name)
        else:
            self.int_names.discard(name)
        return CVar(name, c[1], loc=self.loc(raw))

    def decl(self, raw, c):
        return CDecl(c[0], tuple(c[1:]), loc=self.loc(raw))

    def cast(self, raw, c):
        ctype, value = c
        if ctype == "int":
            return value if self.is_int(value) else self.int_node(ast.CInt(value, loc=self.loc(raw)))
        return replace(value) if self.is_int(value) else value  # a double: a node not marked int

    def target_name(self, raw, c):
        self._not_macro(c[0])
        node = ast.Name(str(c[0]), loc=self.loc(raw))
        return self.int_node(node) if node.name in self.int_names else node

    def target_element(self, raw, c):
        return self.element(raw, c)

    def element(self, raw, c):
        tok, index = c
        self._not_macro(tok)
        if not self.is_int(index):
            raise VerbatimOutside(f"the array index of {_short(str(tok))} is not a C int (C indexes arrays by "
                                  "integers)", index.loc or self.at(tok.line or 1, tok.column or 1))
        return ast.Indexed(str(tok), index, loc=self.loc(raw))  # an element of a double array

    def assign(self, raw, c):
        target, op, value = c
        loc = self.loc(raw)
        if str(op) != "=":  # x op= e is x = x op (e) for a double x
            value = self._binary(str(op)[0], target, value, loc)
        return ast.Assign(replace(target, loc=loc), value, loc=loc)

    def assign_expr(self, raw, c):
        node = CAssignExpr(c[0], loc=c[0].loc)
        target = c[0].target
        return self.int_node(node) if isinstance(target, ast.Name) and target.name in self.int_names else node

    def break_(self, raw, c):
        return CBreak(loc=self.loc(raw))

    def case_label(self, raw, c):
        value = c[0]
        number = value.operand if isinstance(value, ast.Unary) and value.op == "-" else value
        if not (isinstance(number, ast.Number) and self.is_int(number) and number.text.isdigit()):
            raise VerbatimOutside("a case label other than an integer", value.loc or self.base)
        return CLabel(-int(number.text) if number is not value else int(number.text), loc=self.loc(raw))

    def default_label(self, raw, c):
        return CLabel(None, loc=self.loc(raw))

    def switch(self, raw, c):
        subject, items = c[0], c[1:]
        loc = self.loc(raw)
        if not self.is_int(subject):
            raise VerbatimOutside("a switch on a value that is not a C int (C switches on integers)",
                                  subject.loc or loc or self.base)
        groups: list[CCase] = []
        labels: list[int | None] = []
        body: list[ast.Node] = []
        seen: set[int | None] = set()
        for item in items:
            if isinstance(item, CLabel):
                if body:  # statements before this label: the group before it falls through unless it broke
                    if not isinstance(body[-1], CBreak):
                        raise VerbatimOutside("a switch group that falls through into the next case (bridge "
                                              "translates groups that end in 'break;')", item.loc or self.base)
                    groups.append(CCase(tuple(labels), tuple(body[:-1]), loc=loc))
                    labels, body = [], []
                if item.value in seen:
                    raise VerbatimOutside("a case label used twice in one switch", item.loc or self.base)
                seen.add(item.value)
                labels.append(item.value)
            elif not labels:
                raise VerbatimOutside("a statement before the first case of a switch", item.loc or self.base)
            else:
                body.append(item)
        if labels:
            groups.append(CCase(tuple(labels), tuple(body[:-1] if body and isinstance(body[-1], CBreak) else body),
                                loc=loc))
        return CSwitch(subject, tuple(groups), loc=loc)

    def if_(self, raw, c):
        return ast.If(c[0], (c[1],), None, loc=self.loc(raw))

    def if_else(self, raw, c):
        return ast.If(c[0], (c[1],), (c[2],), loc=self.loc(raw))

    def float_(self, raw, c):
        tok = c[0]
        return ast.Number(float(str(tok)), str(tok), loc=self.loc(raw))

    def int_(self, raw, c):
        tok = c[0]
        return self.int_node(ast.Number(float(self._int_value(tok)), str(tok), loc=self.loc(raw)))

    def name(self, raw, c):
        tok = c[0]
        macro = self.pre.macro_at(str(tok), tok.start_pos or 0)
        if macro is not None:  # `#define N 3`: C reads the number
            where = self.at(tok.line or 1, tok.column or 1)
            if not macro.text:
                raise VerbatimOutside(f"the macro {_short(str(tok))}, defined empty, in an expression", where)
            if macro.is_int:
                digits = macro.text.lstrip("+-")
                if (len(digits) > 1 and digits.startswith("0")) or len(digits) > 10 or int(digits) > C_INT_MAX:
                    raise VerbatimOutside(f"the macro {_short(str(tok))}: an integer C does not read as a decimal int",
                                          where)
                return self.int_node(ast.Number(float(macro.text), macro.text, loc=where))
            return ast.Number(float(macro.text), macro.text, loc=where)
        node = ast.Name(str(tok), loc=self.loc(raw))
        return self.int_node(node) if node.name in self.int_names else node

    def string(self, raw, c):
        return ast.String("", loc=self.loc(raw))  # its text is of no use to bridge and goes nowhere

    def call(self, raw, c):
        self._not_macro(c[0])
        args = tuple(a for a in c[1:] if a is not None)
        return ast.Call(str(c[0]), args, loc=self.loc(raw))

    def deref(self, raw, c):
        call = c[0]
        arg = call.args[0] if len(call.args) == 1 else None
        if call.name != "getarg" or not (isinstance(arg, ast.Number) and self.is_int(arg) and arg.text.isdigit()):
            raise VerbatimOutside(f"C outside the subset bridge translates (a pointer): *{_short(call.name)}(...)",
                                  call.loc or self.base)
        return CGetArg(int(arg.text), loc=call.loc)

    def neg(self, raw, c):
        node = ast.Unary("-", c[0], loc=self.loc(raw))
        return self.int_node(node) if self.is_int(c[0]) else node

    def pos(self, raw, c):
        return c[0]

    def not_(self, raw, c):
        return self.int_node(ast.Unary("!", c[0], loc=self.loc(raw)))

    def binary(self, op: str) -> Handler:
        return lambda raw, c: self._binary(op, c[0], c[1], self.loc(raw))

    def _binary(self, op: str, left: Any, right: Any, loc: SourceLocation | None) -> ast.Node:
        node = ast.Binary(op, left, right, loc=loc)
        if op in "+-*/":
            if self.is_int(left) and self.is_int(right):  # C's int arithmetic: `/` truncates toward zero
                return self.int_node(ast.CInt(node, loc=loc))
            return node
        return self.int_node(node)  # comparisons, && and || are C ints (0 or 1)

    def _int_value(self, tok: Token) -> int:
        text = str(tok)
        where = self.at(tok.line or 1, tok.column or 1)
        if len(text) > 1 and text.startswith("0"):
            raise VerbatimOutside(f"the integer literal {text} (C reads it as octal)", where)
        if len(text) > 10 or int(text) > C_INT_MAX:
            raise VerbatimOutside("an integer literal beyond C's int", where)
        return int(text)


_BINARY = {"or_": "||", "and_": "&&", "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
           "add": "+", "sub": "-", "mul": "*", "div": "/"}


@lru_cache(maxsize=1)
def _parser() -> tuple[ReducingParser, _Build, threading.RLock]:
    build = _Build()

    def handler(rule: str) -> Handler | None:
        if rule in _BINARY:
            return build.binary(_BINARY[rule])
        return getattr(build, rule, None)

    parser = ReducingParser("verbatim_c.lark", handler)
    return parser, build, parser.lock


def parse_verbatim(block: ast.Verbatim, filename: str, limits: Limits = DEFAULT_LIMITS,
                   int_names: frozenset[str] = frozenset(), cfile: CFile | None = None) -> tuple[ast.Node, ...]:
    """The items of `block` (module docstring); raises `VerbatimOutside` at the first construct outside
    the subset. `filename` names the file when the block's location has none; `int_names` are the C
    locals an earlier VERBATIM block of the same NMODL block declared `int`; `cfile` what the file's
    earlier blocks defined (`cpreproc`: updated with this block's macros)."""
    base = block.loc or SourceLocation(filename, 1, 1)
    if base.filename in ("", "<string>"):
        base = SourceLocation(filename, base.line, base.column)
    if len(block.text) > MAX_TEXT:
        raise VerbatimOutside(f"a VERBATIM block of {len(block.text)} characters (bridge translates up to "
                              f"{MAX_TEXT})", base)
    parser, build, lock = _parser()
    cfile = cfile if cfile is not None else CFile()
    with lock:
        build.begin(base, int_names, Preprocessed("", {}))
        try:
            pre = preprocess(block.text, cfile.macros, cfile.vectorized)
        except PreprocessorError as err:
            raise VerbatimOutside(err.message, build.at(err.line, 1)) from None
        build.pre = pre
        defined = [(m, build.at(m.line, 1)) for m in pre.defined]
        try:
            items = parser.parse(pre.text)
        except VerbatimOutside:
            raise
        except UnexpectedCharacters as err:
            pos = err.pos_in_stream
            raise VerbatimOutside(f"C outside the subset bridge translates{_kind(pre.text, pos)}: "
                                  f"{_excerpt(block.text, pos)}", build.at(err.line, err.column)) from None
        except UnexpectedToken as err:
            tok = err.token
            what = "the end of the block" if tok.type == "$END" else f"'{_short(str(tok))}'"
            pos = len(block.text) if tok.type == "$END" else tok.start_pos
            raise VerbatimOutside(f"C outside the subset bridge translates{_kind(pre.text, pos)} at {what}",
                                  build.at(tok.line or 1, tok.column or 1) if tok.type != "$END" else base) from None
        except (UnexpectedEOF, UnexpectedInput, lark.exceptions.LarkError):
            raise VerbatimOutside("C outside the subset bridge translates", base) from None
    for item in items:
        if depth(item) > limits.max_nesting:
            raise VerbatimOutside(f"C nested more than {limits.max_nesting} deep (Limits.max_nesting)",
                                  item.loc or base)
    cfile.macros = pre.macros
    cfile.defined += defined
    return items


_KINDS = {**dict.fromkeys(("for", "while", "do"), "a loop"),
          **dict.fromkeys(("int", "double", "float", "long", "short", "unsigned", "char", "void", "struct", "extern",
                           "static", "typedef", "const", "register"), "a declaration or cast"),
          **dict.fromkeys(("switch", "case", "goto", "break", "continue", "sizeof"), "C control flow"),
          "#": "a preprocessor line other than #include <header>"}
_WORDS = re.compile(r"#|[A-Za-z_][A-Za-z0-9_]*")
_SKIPPED = re.compile(r"#[ \t]*include[ \t]*<[^>\n]*>|/\*.*?\*/|//[^\n]*|\"([^\"\\\n]|\\.)*\"", re.S)


def _kind(text: str, pos: int | None) -> str:
    """` (a pointer)` at an unexpected `*` or `&`, ` (an array)` at `[`; ` (a loop)` when the statement that failed
    holds a C keyword outside the subset (comments, strings and `#include <h>` aside); else ``."""
    at = text[pos:pos + 2] if pos is not None else ""
    if at[:1] == "*" or (at[:1] == "&" and at != "&&"):
        return " (a pointer)"
    if at[:1] == "[":
        return " (an array)"
    end = len(text) if pos is None else pos
    start = max(text.rfind(ch, 0, end) for ch in ";{}") + 1
    for word in _WORDS.findall(_SKIPPED.sub(" ", text[start:end + 1])):
        if word in _KINDS:
            return f" ({_KINDS[word]})"
    return ""


def _excerpt(text: str, pos: int | None) -> str:
    start = pos or 0
    return f"'{_short(text[start:start + 20].split(chr(10))[0])}'"


def _short(text: str) -> str:
    """At most 20 characters of model text, printable only (it goes into an error message)."""
    text = text[:20]
    return "".join(ch if ch.isprintable() and ch != "'" else "?" for ch in text)
