"""NMODL text → typed syntax tree (`bridge.nmodl.syntax.ast`).

`parse(text, filename)` reads a whole `.mod` file with the LALR grammar
`grammar/nmodl.lark`; on each reduction the parser calls the builder method named
after the rule (`Build`, one small method per rule), which returns a frozen
dataclass of `ast.py` (no intermediate parse tree). Every failure is an
`NmodlSyntaxError` with file, line, column, the source line with a caret and
what was expected in plain words; no Lark exception escapes.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial
from pathlib import Path

import lark
from lark import Token
from lark.exceptions import UnexpectedInput

from bridge.errors import BridgeError, NmodlSyntaxError, SourceLocation
from bridge.grammar.lalr import Handler, ReducingParser
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl.syntax import ast
from bridge.nmodl.syntax.build import BINARY_OPS, Build, Integer, Invalid
from bridge.nmodl.syntax.diagnostics import syntax_error
from bridge.nmodl.syntax.guard import translation_guard
from bridge.nmodl.syntax.nesting import check_nesting

# Keywords that nocmodl reserves although our contextual lexer would read them as names
# where no keyword is expected (`LOCAL` in the middle of a block). IFERROR is not reserved.
_NOT_RESERVED = {"IFERROR"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _reserved_words(parser: lark.Lark) -> frozenset[str]:
    words = set()
    for term in parser.terminals:
        value = getattr(term.pattern, "value", "")
        if term.pattern.type == "str" and value.replace("_", "a").isalnum() and not value[0].isdigit():
            words.add(value)
    return frozenset(words - _NOT_RESERVED)


class _TokenChecks:
    """Lark post-lexer: refuses what nocmodl's lexer refuses and Lark's contextual lexer lets by.

    - a reserved keyword used as a name (`LOCAL` in the middle of a block);
    - a keyword glued to a name where no name is expected (`RANGEx`, read as RANGE x).
    """

    always_accept = ()

    def __init__(self, build: Build):
        self.build = build
        self.reserved: frozenset[str] = frozenset()
        self.keywords: frozenset[str] = frozenset()  # terminal names of keywords

    def process(self, stream):
        text = self.build.text
        for tok in stream:
            if tok.type == "NAME":
                self.build.names.setdefault(tok.value, (tok.line or 0, tok.column or 0))
                if tok.value in self.reserved:
                    raise Invalid(f"'{tok.value}' is a keyword and cannot be used here", tok.line, tok.column)
            elif tok.type in self.keywords:
                end = tok.end_pos
                if end < len(text) and (text[end].isalnum() or text[end] == "_"):
                    word = _IDENTIFIER.match(text, tok.start_pos).group()
                    raise Invalid(f"unexpected name '{word}'", tok.line, tok.column)
            yield tok


@lru_cache(maxsize=1)
def _parser() -> tuple[ReducingParser, Build]:
    build = Build()
    checks = _TokenChecks(build)
    parser = ReducingParser("nmodl.lark", partial(_handler, build), postlex=checks)
    checks.reserved = _reserved_words(parser.lark)
    checks.keywords = frozenset(
        t.name for t in parser.terminals if t.pattern.type == "str" and _IDENTIFIER.fullmatch(t.pattern.value)
    )
    return parser, build


def _handler(build: Build, rule: str) -> Handler | None:
    """`build`'s method for grammar rule `rule`, given the location of the rule's first token
    (keywords included, which the children the method gets no longer hold)."""
    method = build.binary(BINARY_OPS[rule]) if rule in BINARY_OPS else getattr(build, rule, None)
    if method is None:
        return None
    return _Located(method, build)


class _Located:
    """A builder method called with the location of the first of the rule's raw children."""

    __slots__ = ("method", "build")

    def __init__(self, method, build: Build):
        self.method, self.build = method, build

    def __call__(self, raw: list, children: list):
        return self.method(_first_location(raw, self.build.filename), children)


def _first_location(children, filename: str) -> SourceLocation | None:
    """Where the first of a reduction's children (all of them, keywords included) starts."""
    for c in children:
        if isinstance(c, (Token, Integer)):
            return SourceLocation(filename, c.line or 0, c.column or 0)
        if isinstance(c, ast.Node):
            if c.loc is not None:
                return c.loc
        elif isinstance(c, tuple):
            for x in c:
                if isinstance(x, ast.Node) and x.loc is not None:
                    return x.loc
    return None


def parse(text: str, filename: str = "<string>", *, limits: Limits = DEFAULT_LIMITS) -> ast.Program:
    """Parse NMODL source `text` into an `ast.Program`. Raises `NmodlSyntaxError`, or a
    `BridgeError` for a tree nested deeper than `limits.max_nesting` (`bridge.nmodl.syntax.nesting`).

    A lone carriage return ends a line, as in nocmodl (old Mac files: a `:` comment stops there)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    with translation_guard(filename):
        program = _parse(text, filename)
        check_nesting(program, text, filename, limits)
    return program


def _parse(text: str, filename: str) -> ast.Program:
    parser, build = _parser()
    with parser.lock:  # one builder, whose state is per parse
        build.begin(filename, text)
        try:
            return parser.parse(text)
        except Invalid as err:
            raise NmodlSyntaxError(err.message, SourceLocation(filename, err.line, err.column), text) from None
        except UnexpectedInput as err:
            terminals = {t.name: t for t in parser.terminals}
            raise syntax_error(err, text, filename, terminals) from None
        except lark.exceptions.LarkError as err:  # pragma: no cover - defensive
            raise NmodlSyntaxError(str(err), SourceLocation(filename, 1, 1), text) from None


def parse_file(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> ast.Program:
    """Parse the `.mod` file at `path` (UTF-8; undecodable bytes in comments are replaced, a BOM is skipped)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise BridgeError(f"cannot read {p}: {err.strerror or err}") from None
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return parse(text, filename=str(p), limits=limits)
