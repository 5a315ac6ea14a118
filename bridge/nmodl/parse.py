"""NMODL text → typed syntax tree (`bridge.nmodl.ast`).

`parse(text, filename)` reads a whole `.mod` file with the LALR grammar
`grammar/nmodl.lark`; on each reduction the parser calls the builder method named
after the rule (`Build`, one small method per rule), which returns a frozen
dataclass of `ast.py` (no intermediate parse tree). Every failure is an
`NmodlSyntaxError` with file, line, column, the source line with a caret and
what was expected in plain words; no Lark exception escapes.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache, partial
from pathlib import Path

import lark
from lark import Token
from lark.exceptions import UnexpectedInput

from bridge.errors import BridgeError, NmodlSyntaxError, SourceLocation
from bridge.grammar import grammar_text
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl import ast
from bridge.nmodl.build import BINARY_OPS, Build, Integer, Invalid
from bridge.nmodl.diagnostics import syntax_error
from bridge.nmodl.guard import translation_guard
from bridge.nmodl.nesting import check_nesting

_LOCK = threading.Lock()

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
                if tok.value in self.reserved:
                    raise Invalid(f"'{tok.value}' is a keyword and cannot be used here", tok.line, tok.column)
            elif tok.type in self.keywords:
                end = tok.end_pos
                if end < len(text) and (text[end].isalnum() or text[end] == "_"):
                    word = _IDENTIFIER.match(text, tok.start_pos).group()
                    raise Invalid(f"unexpected name '{word}'", tok.line, tok.column)
            yield tok


@lru_cache(maxsize=1)
def _parser() -> tuple[lark.Lark, Build]:
    build = Build()
    checks = _TokenChecks(build)
    parser = lark.Lark(
        grammar_text("nmodl.lark"),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=True,
        postlex=checks,
        cache=True,  # Lark keeps the built tables in the temp folder: ~0.4 s less per process
    )
    checks.reserved = _reserved_words(parser)
    checks.keywords = frozenset(
        t.name for t in parser.terminals if t.pattern.type == "str" and _IDENTIFIER.fullmatch(t.pattern.value)
    )
    _install_builders(parser, build)
    return parser, build


def _first_location(children, filename: str) -> SourceLocation | None:
    """Where the first of a reduction's children (all of them, keywords included) starts."""
    for c in children:
        if isinstance(c, (Token, Integer)):
            return SourceLocation(filename, c.line, c.column)
        if isinstance(c, ast.Node):
            if c.loc is not None:
                return c.loc
        elif isinstance(c, tuple):
            for x in c:
                if isinstance(x, ast.Node) and x.loc is not None:
                    return x.loc
    return None


def _install_builders(parser: lark.Lark, build: Build) -> None:
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
        if name in BINARY_OPS:
            method = build.binary(BINARY_OPS[name])
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

    def __init__(self, inner, build: Build):
        self.inner, self.build = inner, build
        self.reduce = inner
        while not isinstance(self.reduce, _Reduce):
            self.reduce = self.reduce.node_builder

    def __call__(self, children):
        self.reduce.loc = _first_location(children, self.build.filename)
        return self.inner(children)


def parse(text: str, filename: str = "<string>", *, limits: Limits = DEFAULT_LIMITS) -> ast.Program:
    """Parse NMODL source `text` into an `ast.Program`. Raises `NmodlSyntaxError`, or a
    `BridgeError` for a tree nested deeper than `limits.max_nesting` (`bridge.nmodl.nesting`).

    A lone carriage return ends a line, as in nocmodl (old Mac files: a `:` comment stops there)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    with translation_guard(filename):
        program = _parse(text, filename)
        check_nesting(program, text, filename, limits)
    return program


def _parse(text: str, filename: str) -> ast.Program:
    parser, build = _parser()
    with _LOCK:  # one builder, whose state is per parse
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
