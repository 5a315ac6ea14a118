"""Lark's parse errors, told in NMODL's words.

Lark names terminals after their text (`RBRACE`, `__ANON_3`) or after the grammar
(`NAME`, `UNIT`); a user wants `'}'`, "a name", "units like (mV)". This module
turns an `UnexpectedInput` into an `NmodlSyntaxError` with file, line, column,
the source line with a caret, and the expected tokens in plain words.
"""

from __future__ import annotations

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from bridge.errors import NmodlSyntaxError, SourceLocation

# Named terminals of grammar/nmodl.lark, in words.
_WORDS = {
    "NAME": "a name",
    "PRIME": "a derivative like m'",
    "NUMBER": "a number",
    "UNIT": "units in parentheses like (mV)",
    "STRING": 'a string like "text"',
    "ONTOLOGY_ID": "an ontology id like NCIT:C17145",
    "TITLE_LINE": "TITLE",
    "VERBATIM": "VERBATIM ... ENDVERBATIM",
    "UNITSON": "UNITSON",
    "UNITSOFF": "UNITSOFF",
    "$END": "end of file",
}


def describe_terminal(name: str, terminals: dict) -> str:
    """`'}'` for RBRACE, `FROM` for a keyword, "a name" for NAME."""
    if name in _WORDS:
        return _WORDS[name]
    term = terminals.get(name)
    if term is not None and isinstance(term.pattern, PatternStr):
        value = term.pattern.value
        return value if value.isalpha() or "_" in value else f"'{value}'"
    return name.lower()


def describe_token(token) -> str:
    """What was found: `'}'`, `name 'foo'`, `end of file`."""
    if token.type == "$END":
        return "end of file"
    value = str(token)
    if token.type == "NAME":
        return f"name '{value}'"
    if token.type in ("NUMBER", "INTEGER"):
        return f"number {value}"
    if token.type == "UNIT":
        return f"units {value}"
    if token.type == "PRIME":
        return f"derivative {value}"
    first = value.splitlines()[0] if value else value
    return f"'{first}'"


_OPERATORS = {"'||'", "'&&'", "'<'", "'<='", "'>'", "'>='", "'=='", "'!='", "'+'", "'-'", "'*'", "'/'", "'^'"}
_STATEMENTS = {"'{'", "'~'", "COMPARTMENT", "CONDUCTANCE", "CONSERVE", "FOR_NETCONS", "FROM", "IF", "if", "INITIAL",
               "LAG", "LONGITUDINAL_DIFFUSION", "MUTEXLOCK", "MUTEXUNLOCK", "PROTECT", "SOLVE", "TABLE", "UNITSOFF",
               "UNITSON", "VERBATIM ... ENDVERBATIM", "WATCH", "WHILE", "while", "a name", "a derivative like m'"}
_TOP_LEVEL = {"AFTER", "ASSIGNED", "BEFORE", "BREAKPOINT", "CONSTANT", "CONSTRUCTOR", "DEFINE", "DERIVATIVE",
              "DESTRUCTOR", "DISCRETE", "FUNCTION", "FUNCTION_TABLE", "INCLUDE", "INDEPENDENT", "INITIAL", "KINETIC",
              "LINEAR", "LOCAL", "NET_RECEIVE", "NEURON", "NONLINEAR", "PARAMETER", "PROCEDURE", "STATE", "TITLE",
              "UNITS", "UNITSOFF", "UNITSON", "VERBATIM ... ENDVERBATIM"}
_NEURON_STATEMENTS = {"SUFFIX", "POINT_PROCESS", "ARTIFICIAL_CELL", "USEION", "RANGE", "GLOBAL", "NONSPECIFIC_CURRENT",
                      "ELECTRODE_CURRENT", "POINTER", "BBCOREPOINTER", "EXTERNAL", "RANDOM", "THREADSAFE",
                      "REPRESENTS"}


def _grouped(words: set[str]) -> set[str]:
    """Long lists in a few words: "an operator", "a statement", "a block like NEURON or PARAMETER"."""
    groups = [
        (_TOP_LEVEL, 8, "a block like NEURON, PARAMETER or BREAKPOINT"),
        (_NEURON_STATEMENTS, 6, "a NEURON block statement like SUFFIX, USEION or RANGE"),
        (_STATEMENTS, 8, "a statement"),
        (_OPERATORS, 8, "an operator"),
    ]
    out = set(words)
    for members, least, label in groups:
        if len(words & members) >= least:
            out = (out - members) | {label}
    return out


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    if len(words) > 10:
        return ", ".join(words[:10]) + f", ... ({len(words) - 10} more)"
    return ", ".join(words[:-1]) + " or " + words[-1]


def _end_position(text: str) -> tuple[int, int]:
    """Line and column of the end of `text`, lines ending at `\\n` only (as Lark counts them), a
    final newline not starting a line of its own (as `str.splitlines` counted before)."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return len(lines), len(lines[-1]) + 1


def syntax_error(err: UnexpectedInput, text: str, filename: str, terminals: dict | None = None) -> NmodlSyntaxError:
    """An `NmodlSyntaxError` for Lark's `err` raised while parsing `text`."""
    terminals = terminals or {}
    expected_names: set[str] = set()
    if isinstance(err, UnexpectedToken):
        expected_names = set(err.accepts or err.expected or ())
        token = err.token
        if token.type == "$END" or getattr(token, "line", -1) in (None, -1):
            line, column = _end_position(text)
        else:
            line, column = token.line, token.column
        found = describe_token(token)
    elif isinstance(err, UnexpectedCharacters):
        expected_names = set(err.allowed or ())
        line, column = err.line, err.column
        pos = err.pos_in_stream if err.pos_in_stream is not None else -1
        char = text[pos] if 0 <= pos < len(text) else "?"
        found = f"character {char!r}"
    elif isinstance(err, UnexpectedEOF):
        expected_names = set(err.expected or ())
        line, column = _end_position(text)
        found = "end of file"
    else:  # pragma: no cover - Lark has no other kinds
        line, column = getattr(err, "line", 1), getattr(err, "column", 1)
        found = "input"
    words = _grouped({describe_terminal(n, terminals) for n in expected_names})
    expected = tuple(sorted(words, key=_sort_key))
    message = f"unexpected {found}"
    if expected:
        message += f"; expected {_join(list(expected))}"
    if line < 1:
        line, column = _end_position(text)
    return NmodlSyntaxError(message, SourceLocation(filename, line, max(column, 1)), text, expected)


def _sort_key(word: str) -> tuple[int, str]:
    # closing brackets first (the usual fix), other punctuation, keywords, then descriptions ("a name")
    if word in ("'}'", "')'", "']'"):
        return (0, word)
    if word.startswith("'"):
        return (1, word)
    if word.isupper() or "_" in word:
        return (2, word)
    if word.startswith("a statement") or word.startswith("an operator"):
        return (4, word)
    return (3, word)
