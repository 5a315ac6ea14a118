"""Lark LALR parsers that build bridge's own syntax trees while they parse.

Both parsers (`bridge.nmodl.syntax.parse` and `bridge.hoc.parse`) let Lark call a
handler of theirs on each reduction of a grammar rule, instead of building Lark's
parse tree and transforming it afterwards:

    parser = ReducingParser("nmodl.lark", builder.handler)
    with parser.lock:            # the builder's per-parse state (file name, text)
        builder.begin(...)
        program = parser.parse(text)

`handler(rule)` is asked once per rule name (a rule's alias, else its name) when the
parser is built; it returns a function `(raw, children) -> node`, or None. `raw` holds
the rule's children as the grammar matched them, keywords and punctuation included
(so a node can start where its first keyword is); `children` holds what Lark's own tree
would (anonymous tokens dropped unless `keep_all_tokens`, `_helper` rules inlined,
missing `[optional]` parts as None). A rule without a handler must be one of Lark's
helper rules (`_name`, inlined into its parent) or a `?name` rule (it passes a single
child through); any other is an error when the parser is built. The parser runs no
recursion of its own, so deep nesting costs no Python stack.

Lark offers no public hook for this: a `transformer=` given to Lark sees neither the raw
children nor per-parse state. This module is the one place in bridge that uses Lark's
internals, both pinned by `lark>=1.2,<1.4` in pyproject.toml: the wrappers Lark puts
around each rule's callback (`lark.parse_tree_builder.ParseTreeBuilder.rule_builders`:
child filtering, inlining, placeholders) and the LALR parser's callback table.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import lark
from lark.parse_tree_builder import ParseTreeBuilder

from bridge.grammar import grammar_text

Handler = Callable[[list, list], Any]  # (raw children, children) -> what the rule builds


class ReducingParser:
    """An LALR parser of one of bridge's grammars that calls `handler(rule)`'s functions on reductions.

    `lock` must be held from a builder's `begin` to the end of `parse` when the builder keeps
    per-parse state; `terminals` are the grammar's terminals (for error messages)."""

    def __init__(self, grammar: str, handler: Callable[[str], Handler | None], *, keep_all_tokens: bool = False,
                 postlex: Any = None):
        # cache=True: Lark keeps the built LALR tables in the temp folder (about 0.5 s less per process)
        self.lark = lark.Lark(grammar_text(grammar), parser="lalr", lexer="contextual", maybe_placeholders=True,
                              keep_all_tokens=keep_all_tokens, postlex=postlex, cache=True)
        self.lock = threading.RLock()
        self.terminals = self.lark.terminals
        _install(self.lark, handler)

    def parse(self, text: str) -> Any:
        """What the grammar's start rule built from `text`; raises Lark's `UnexpectedInput` errors
        and whatever a handler raises."""
        return self.lark.parse(text)


class _Outer:
    """A rule's outermost callback: keeps the raw children for `_Inner`, then runs Lark's wrappers."""

    __slots__ = ("chain", "inner")

    def __init__(self, chain: Callable[[list], Any], inner: _Inner):
        self.chain, self.inner = chain, inner

    def __call__(self, children: list) -> Any:
        self.inner.raw = children
        return self.chain(children)


class _Inner:
    """A rule's innermost callback: the handler, with the raw children `_Outer` kept."""

    __slots__ = ("handler", "raw")

    def __init__(self, handler: Handler):
        self.handler: Handler = handler
        self.raw: list = []

    def __call__(self, children: list) -> Any:
        return self.handler(self.raw, children)


def _install(parser: lark.Lark, handler: Callable[[str], Handler | None]) -> None:
    """Replace the LALR parser's tree-building callbacks with `handler`'s functions."""
    builders = ParseTreeBuilder(parser.rules, lark.Tree, False, False, parser.options.maybe_placeholders)
    callbacks: dict = {}
    for rule, wrappers in builders.rule_builders:
        name = rule.alias or rule.options.template_source or rule.origin.name
        handle = handler(name)
        if handle is None and not (name.startswith("_") or rule.options.expand1):
            raise AssertionError(f"no handler for grammar rule {name!r}")
        inner: Any = _Inner(handle) if handle is not None else partial(lark.Tree, name)
        f = inner
        for wrap in wrappers:
            f = wrap(f)
        callbacks[rule] = _Outer(f, inner) if handle is not None else f
    parser.parser.parser.parser.callbacks = callbacks
