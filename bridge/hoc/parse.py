"""HOC text → typed syntax tree (`bridge.hoc.ast`), with errors that point at the source.

The grammar is `grammar/hoc.lark` (LALR). A builder with one method per rule makes
the nodes as the parser reduces (`bridge.grammar.lalr`, no parse tree in between);
`begintemplate`/`endtemplate` pairs are then folded into
`Template` nodes. Syntax errors raise `HocSyntaxError` with file:line:col and a
caret under the offending token.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from bridge.errors import HocSyntaxError, SourceLocation
from bridge.grammar.lalr import Handler, ReducingParser
from bridge.hoc import ast
from bridge.hoc.source import check_characters, read_source

__all__ = ["parse", "parse_file"]

# `}` newline `else`: HOC files put `else` on the line after the closing brace.
# The newlines move behind `else` so that every later line keeps its number.
# (A possessive repeat: linear in the blank lines, with no backtracking state.)
_ELSE_AFTER_NEWLINE = re.compile(r"\}([ \t\r\n]*+)else\b")


@lru_cache(maxsize=1)
def _parser() -> tuple[ReducingParser, _ToAst]:
    # Locations come from the tokens themselves (keep_all_tokens), which is about twice as
    # fast as Lark's propagate_positions; `_ToAst` drops punctuation and keywords.
    builder = _ToAst()
    return ReducingParser("hoc.lark", builder.handler, keep_all_tokens=True), builder


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\([\s\S])")


def _unescape(text: str) -> str:
    """C escapes of a string literal (`\\n`, `\\t`, ...); `\\x` of another x is x."""
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), text) if "\\" in text else text


class _Markers:
    """Statements that only make sense together (begintemplate ... endtemplate)."""

    @staticmethod
    def fold_templates(body: list[ast.Node], filename: str, source) -> list[ast.Node]:
        out: list[ast.Node] = []
        stack: list[tuple[_Begin, list[ast.Node]]] = []
        for node in body:
            if isinstance(node, _Begin):
                stack.append((node, []))
            elif isinstance(node, _End):
                if not stack:
                    raise HocSyntaxError(f"endtemplate {node.name} without begintemplate", node.loc, source())
                begin, inner = stack.pop()
                if begin.name != node.name:
                    raise HocSyntaxError(f"endtemplate {node.name} closes begintemplate {begin.name}", node.loc,
                                         source())
                (stack[-1][1] if stack else out).append(ast.Template(begin.loc, begin.name, inner))
            elif stack:
                stack[-1][1].append(node)
            else:
                if isinstance(node, (ast.Public, ast.External)):
                    word = "public" if isinstance(node, ast.Public) else "external"
                    raise HocSyntaxError(f"'{word}' outside a template", node.loc, source())
                out.append(node)
        if stack:
            raise HocSyntaxError(f"begintemplate {stack[-1][0].name} has no endtemplate", stack[-1][0].loc, source())
        return out


class _Begin(ast.Node):
    def __init__(self, loc, name):
        super().__init__(loc)
        self.name = name


class _End(ast.Node):
    def __init__(self, loc, name):
        super().__init__(loc)
        self.name = name


def _names(items) -> list[str]:
    return [str(t) for t in items if isinstance(t, Token)]


# Terminals whose text the syntax tree keeps; keywords and punctuation only give locations.
_KEPT = {"NAME", "NUMBER", "STRING", "ARG", "ARG_OBJ", "ARG_STR", "ARG_REF", "ASSIGN_OP", "CMP_OP"}


def _first(children):
    """The first token or node of a rule's children (for its location)."""
    for c in children:
        if isinstance(c, (Token, ast.Node)):
            return c
        if isinstance(c, list):
            found = _first(c)
            if found is not None:
                return found
    return None


class _ToAst:
    """One method per grammar rule (or alias); each returns a node of `bridge.hoc.ast`.

    Methods get (meta, children) with keywords and punctuation removed; `self._loc(meta)`
    is where the rule's first token is. The parser calls them on each reduction
    (`handler`); `begin` starts a parse (under the parser's lock)."""

    def __init__(self) -> None:
        self.filename = "<string>"
        self.offset = 0
        self._at = SourceLocation(self.filename, 0, 0)

    def begin(self, filename: str, line_offset: int = 0) -> None:
        self.filename = filename
        self.offset = line_offset
        self._at = SourceLocation(filename, 0, 0)

    def handler(self, rule: str) -> Handler | None:
        """The function the parser calls on a reduction of `rule` (None: Lark's own helper rules)."""
        method = getattr(self, rule, None) if not rule.startswith("_") else None
        if method is None:
            return None
        keep_tokens = rule in ("for_c", "func_kind")

        def reduce(raw: list, children: list):
            first = _first(children)
            if isinstance(first, Token):
                self._at = SourceLocation(self.filename, (first.line or 0) + self.offset, first.column or 0)
            elif isinstance(first, ast.Node):
                self._at = first.loc
            if keep_tokens:
                return method(None, list(children))
            return method(None, [c for c in children if not isinstance(c, Token) or c.type in _KEPT])

        return reduce

    def _loc(self, meta) -> ast.SourceLocation:
        return self._at

    # -- program structure ---------------------------------------------------------
    def start(self, meta, children):
        body = [c for c in children if c is not None]
        for stmt in body:
            if isinstance(stmt, ast.ExprStmt) and not isinstance(stmt.expr, ast.Assign):
                stmt.echo = True
        return body

    def program(self, meta, children):
        return [c for c in children if c is not None]

    def block(self, meta, children):
        return ast.Block(self._loc(meta), children[0])

    def atom(self, meta, children):  # `( expr )`
        return children[0]

    # -- expressions --------------------------------------------------------------
    def number(self, meta, c):
        return ast.Num(self._loc(meta), float(c[0]))

    def string(self, meta, c):
        return ast.Str(self._loc(meta), _unescape(str(c[0])[1:-1].replace("\\\n", "")))

    def name(self, meta, c):
        return ast.Name(self._loc(meta), str(c[0]))

    def arg(self, meta, c):
        text = str(c[0])[1:]
        kind = text[0] if text[0] in "os&" else ""
        index = text[len(kind):]
        return ast.Arg(self._loc(meta), kind, 0 if index == "i" else int(index))

    def member(self, meta, c):
        return ast.Member(self._loc(meta), c[0], str(c[1]))

    def index(self, meta, c):
        return ast.Index(self._loc(meta), c[0], c[1])

    def call(self, meta, c):
        return ast.Call(self._loc(meta), c[0], c[1])

    def new(self, meta, c):
        return ast.New(self._loc(meta), str(c[0]), c[1])

    def args(self, meta, c):
        return [a for a in c if a is not None]

    def range_arg(self, meta, c):
        return ast.RangeArg(self._loc(meta), c[0], c[1])

    def pointer(self, meta, c):
        return ast.Pointer(self._loc(meta), c[0])

    def neg(self, meta, c):
        return ast.Unary(self._loc(meta), "-", c[0])

    def not_(self, meta, c):
        return ast.Unary(self._loc(meta), "!", c[0])

    def pow(self, meta, c):
        return ast.Binary(self._loc(meta), "^", c[0], c[1])

    def binop(self, meta, c):
        return ast.Binary(self._loc(meta), str(c[1]), c[0], c[2])

    def add(self, meta, c):
        return ast.Binary(self._loc(meta), "+", c[0], c[1])

    def sub(self, meta, c):
        return ast.Binary(self._loc(meta), "-", c[0], c[1])

    def mul(self, meta, c):
        return ast.Binary(self._loc(meta), "*", c[0], c[1])

    def div(self, meta, c):
        return ast.Binary(self._loc(meta), "/", c[0], c[1])

    def mod(self, meta, c):
        return ast.Binary(self._loc(meta), "%", c[0], c[1])

    def assign_stmt(self, meta, c):
        return ast.ExprStmt(self._loc(meta), ast.Assign(self._loc(meta), str(c[1]), c[0], c[2]))

    def or_(self, meta, c):
        return ast.Binary(self._loc(meta), "||", c[0], c[1])

    def and_(self, meta, c):
        return ast.Binary(self._loc(meta), "&&", c[0], c[1])

    def assign(self, meta, c):
        return ast.Assign(self._loc(meta), str(c[1]), c[0], c[2])

    # -- statements -----------------------------------------------------------------
    def expr_stmt(self, meta, c):
        return ast.ExprStmt(self._loc(meta), c[0])

    def taper(self, meta, c):
        return ast.Taper(self._loc(meta), c[0], str(c[1]), c[2], c[3])

    def section_stmt(self, meta, c):
        return ast.SectionStmt(self._loc(meta), c[0], c[1])

    def decl(self, meta, c):
        return ast.Decl(self._loc(meta), str(c[0]), list(c[1:]))

    def create(self, meta, c):
        return ast.Create(self._loc(meta), list(c))

    def access(self, meta, c):
        return ast.Access(self._loc(meta), c[0])

    def connect(self, meta, c):
        return ast.Connect(self._loc(meta), c[0], c[1])

    def insert(self, meta, c):
        return ast.Insert(self._loc(meta), str(c[0]))

    def uninsert(self, meta, c):
        return ast.Insert(self._loc(meta), str(c[0]), remove=True)

    def setpointer(self, meta, c):
        return ast.Setpointer(self._loc(meta), c[0], c[1])

    def print_stmt(self, meta, c):
        return ast.Print(self._loc(meta), list(c))

    def return_stmt(self, meta, c):
        return ast.Return(self._loc(meta), c[0] if c else None)

    def break_stmt(self, meta, c):
        return ast.Break(self._loc(meta))

    def continue_stmt(self, meta, c):
        return ast.Continue(self._loc(meta))

    def depvar(self, meta, c):
        return ast.DepVar(self._loc(meta), _names(c))

    def eqn_both(self, meta, c):
        return ast.Equation(self._loc(meta), str(c[0]), True, c[1])

    def eqn_rhs(self, meta, c):
        return ast.Equation(self._loc(meta), str(c[0]), False, None, c[2] if str(c[1]) == "=" else None)

    def stop_stmt(self, meta, c):
        return ast.Stop(self._loc(meta))

    def iterator_statement(self, meta, c):
        return ast.IteratorStatement(self._loc(meta))

    def double_decl(self, meta, c):
        return ast.DoubleDecl(self._loc(meta), list(c))

    def strdef(self, meta, c):
        return ast.Strdef(self._loc(meta), _names(c))

    def objref(self, meta, c):
        return ast.Objref(self._loc(meta), [d for d in c if isinstance(d, ast.Decl)])

    def local_decl(self, meta, c):
        return ast.Local(self._loc(meta), _names(c))

    def localobj_decl(self, meta, c):
        return ast.Local(self._loc(meta), _names(c), objects=True)

    def func_kind(self, meta, c):
        return self._at, str(c[0])

    def func_def(self, meta, c):
        loc, kind = c[0]
        return ast.FuncDef(loc, kind, str(c[1]), c[-1])

    def begin_template(self, meta, c):
        return _Begin(self._loc(meta), str(c[0]))

    def end_template(self, meta, c):
        return _End(self._loc(meta), str(c[0]))

    def public(self, meta, c):
        return ast.Public(self._loc(meta), _names(c))

    def external(self, meta, c):
        return ast.External(self._loc(meta), _names(c))

    def forall(self, meta, c):
        return ast.Forall(self._loc(meta), c[-1])

    def forsec(self, meta, c):
        return ast.Forsec(self._loc(meta), c[0], c[-1])

    def ifsec(self, meta, c):
        return ast.Forsec(self._loc(meta), c[0], c[-1], only_current=True)

    def delete_stmt(self, meta, c):
        return ast.DeleteSymbol(self._loc(meta), str(c[0]))

    def if_stmt(self, meta, c):
        c = [x for x in c if not isinstance(x, Token)]
        return ast.If(self._loc(meta), c[0], c[1], c[2] if len(c) > 2 else None)

    def while_stmt(self, meta, c):
        return ast.While(self._loc(meta), c[0], c[-1])

    def for_segment(self, meta, c):
        c = [x for x in c if not (isinstance(x, Token) and x.type == "_NL")]
        with_ends = c[1] if len(c) == 3 else None
        return ast.ForSegment(self._loc(meta), str(c[0]), with_ends, c[-1])

    def for_c(self, meta, c):
        """`for (init; cond; step) body`: any of the three may be empty."""
        loc = self._loc(meta)
        parts: list = [[]]
        depth = 0
        for x in c[2:]:  # after `for (`
            if isinstance(x, Token) and x.type == "LPAR":
                depth += 1
            if isinstance(x, Token) and x.type == "RPAR":
                if depth == 0:
                    break
                depth -= 1
            if isinstance(x, Token) and x.type == "SEMICOLON" and depth == 0:
                parts.append([])
            elif not isinstance(x, Token):
                parts[-1].append(x)
        init, cond, step = (p[0] if p else None for p in parts)
        return ast.ForC(loc, init, cond, step, c[-1])

    def for_range(self, meta, c):
        if str(c[1]) != "=":
            raise HocSyntaxError(f"'for' needs '=', not {c[1]}", self._loc(meta))
        return ast.ForRange(self._loc(meta), c[0], c[2], c[3], c[-1])

    def for_iterator(self, meta, c):
        return ast.ForIterator(self._loc(meta), ast.Call(self._loc(meta), c[0], c[1]), c[-1])


def _describe(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    if token.type == "_NL":
        return "end of line"
    return repr(str(token))


MAX_NESTING = 200  # brackets and braces; NEURON's own parser stack is of this order

# What _check_nesting skips (strings, comments) and counts (brackets); possessive and
# single-character repeats keep it linear, with constant memory, on a 10 MB string literal.
_NEST_TOKEN = re.compile(r'"(?:[^"\\\n]++|\\[\s\S])*+"|//[^\n]*+|/\*[\s\S]*?\*/|[(){}\[\]]')


def _check_nesting(text: str, filename: str, offset: int, max_nesting: int = MAX_NESTING) -> None:
    """Refuse absurdly deep nesting before the parser and interpreter recurse into it."""
    if text.count("(") + text.count("{") + text.count("[") <= max_nesting:
        return
    depth = 0
    for m in _NEST_TOKEN.finditer(text):
        ch = m.group(0)
        if ch in "({[":
            depth += 1
            if depth > max_nesting:
                pos = m.start()
                line, column = text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)
                raise HocSyntaxError(f"brackets or braces nested deeper than {max_nesting} (Limits.max_nesting); "
                                     "raise it with bridge.Limits(max_nesting=...) if the model really needs more",
                                     SourceLocation(filename, line + offset, column), "\n" * offset + text)
        elif ch in ")}]":
            depth -= 1


# How deep a syntax tree may be (statements in statements, operands in operators). The parser builds
# trees of any depth without recursion, but the interpreter and the passes over the tree recurse:
# deeper is refused here, as a Lark tree transformed recursively was (about as deep as that allowed).
MAX_TREE_DEPTH = 480


def _check_depth(body: list, filename: str, offset: int) -> None:
    """Raise a HocSyntaxError when the tree of `body` is deeper than MAX_TREE_DEPTH (iteratively)."""
    stack = [(node, 1) for node in body]
    while stack:
        node, d = stack.pop()
        if d > MAX_TREE_DEPTH:
            raise HocSyntaxError("statements or expressions nested too deeply", SourceLocation(filename, offset + 1, 1))
        for value in vars(node).values():
            if isinstance(value, ast.Node):
                stack.append((value, d + 1))
            elif type(value) is list:
                stack.extend((x, d + 1) for x in value if isinstance(x, ast.Node))


def _else_joined(m: re.Match) -> str:
    newlines = m.group(1).count("\n")
    return "} else" + "\n" * newlines if newlines else m.group(0)


def parse(text: str, filename: str = "<string>", line_offset: int = 0, max_nesting: int = MAX_NESTING) -> ast.Program:
    """Parse HOC source `text` into an `ast.Program`; `filename` is used in locations,
    `line_offset` when `text` starts further down a file; brackets and braces may nest
    `max_nesting` deep."""
    prepared = _ELSE_AFTER_NEWLINE.sub(_else_joined, text) if "else" in text else text
    if not prepared.endswith("\n"):
        prepared += "\n"
    _check_nesting(prepared, filename, line_offset, max_nesting)
    parser, builder = _parser()
    try:
        with parser.lock:  # one builder, whose state is per parse
            builder.begin(filename, line_offset)
            body = parser.parse(prepared)
        _check_depth(body, filename, line_offset)
    except UnexpectedInput as err:
        raise _syntax_error(err, text, filename, line_offset) from None
    except RecursionError:
        raise HocSyntaxError("statements nested too deeply", SourceLocation(filename, line_offset + 1, 1)) from None
    body = _Markers.fold_templates(body, filename, lambda: "\n" * line_offset + text)
    return ast.Program(SourceLocation(filename, 1, 1), body, text)


def _syntax_error(err: UnexpectedInput, text: str, filename: str, offset: int = 0) -> HocSyntaxError:
    line, column = getattr(err, "line", 0) or 0, getattr(err, "column", 0) or 0
    expected: tuple[str, ...] = ()
    if isinstance(err, UnexpectedToken):
        expected = tuple(sorted(err.expected))
        token = err.token
        if token.type == "$END":
            # lines end at \n only, as Lark counts them (bridge.errors.caret_excerpt)
            lines = (text[:-1] if text.endswith("\n") else text).split("\n")
            line, column = len(lines), len(lines[-1]) + 1
            message = "unexpected end of file (an unclosed '{' or '(' ?)"
        else:
            message = f"unexpected {_describe(token)}"
    elif isinstance(err, UnexpectedCharacters):
        message = _unexpected_character(err.char)
    elif isinstance(err, UnexpectedEOF):
        message = "unexpected end of file"
    else:  # pragma: no cover - lark's other error kinds
        message = str(err)
    return HocSyntaxError(message, SourceLocation(filename, line + offset, column), "\n" * offset + text, expected)


def _unexpected_character(ch: str) -> str:
    """Why the lexer stopped at `ch` (NEURON's lexer: "character \\302 ... is not printable")."""
    if " " <= ch <= "~":
        return f"unexpected character {ch!r}"
    code = f"{ch!r} (U+{ord(ch):04X})"
    if ch == "\ufffd":
        return (f"a byte that is not valid UTF-8 (read as {code}); outside strings and comments "
                "HOC is ASCII text")
    if ord(ch) > 127:
        return (f"non-ASCII character {code}: HOC names and code are ASCII (NEURON refuses it too); "
                "other characters may appear only in strings and comments")
    return (f"control character {code} is not allowed outside strings and comments (NEURON refuses it too; "
            "only space, tab and newline separate HOC code)")


def parse_file(path) -> ast.Program:
    """Parse the HOC file at `path`."""
    p = Path(path)
    text = read_source(p)
    check_characters(text, str(p))
    return parse(text, str(p))
