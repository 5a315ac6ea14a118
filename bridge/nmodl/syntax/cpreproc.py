"""The C preprocessor lines of a VERBATIM block, evaluated as nrnivmodl's compiler evaluates them.

nocmodl pastes a VERBATIM block into the C++ file it compiles, so `#define`, `#if`, `#ifdef` and the like
act there, and a macro stays defined for the rest of the file. `preprocess` evaluates the lines whose effect
bridge knows and returns the block's text with every preprocessor line (`#include <h>` aside, which the
grammar reads) and every line of a group the condition skips made blank (same length, same lines: errors
keep their places), and the macros: an object-like `#define NAME number` is used where the C names it
(`Preprocessed.spans`, read by `bridge.nmodl.syntax.verbatim`'s builder). A condition is evaluated only
when every name in it is known: a macro of the file, the version macros of NEURON 9.0.2's
`nrnversionmacros.h` (`NRN_VERSION_GTEQ(8, 2, 0)`, `NRN_VERSION_GTEQ_8_2_0`, `NRN_MECHANISM_DATA_IS_SOA`),
nocmodl's `NRN_VECTORIZED` (its first line of the generated .cpp; the caller gives its value), the
macros nocmodl's .cpp defines for `t` and `dt`, and the platform macros gcc on Linux does not define
(`WIN32`, ...); `#ifndef X` right before `#define X` is an include guard. Anything else raises
`VerbatimOutside` at its line: a function-like macro, a `#define` of something other than a number,
`#undef` of a macro the file did not define, `#pragma`, `#error`, a line continued with `\\`, a comment
that crosses a blanked line. Iterative throughout (no recursion); a condition is at most
`MAX_CONDITION` characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bridge.errors import SourceLocation

MAX_CONDITION = 400  # characters of one #if condition
NEURON_VERSION = (9, 0, 2)  # the NEURON whose compiled mechanisms bridge matches
# macros nrnversionmacros.h defines without a value (NEURON 9.0.2; mech_api.h includes it)
DEFINED_EMPTY = frozenset({"NRN_VERSION_GTEQ_8_2_0", "NRN_MECHANISM_DATA_IS_SOA"})
# names nocmodl's generated .cpp defines as macros (`#define t nrn_threads->_t`, `#define dt ...`)
DEFINED_CODE = frozenset({"t", "dt"})
# macros of other platforms and compilers, which gcc on Linux x86_64 does not define
UNDEFINED = frozenset({"WIN32", "_WIN32", "WIN64", "_WIN64", "MSWIN", "__MINGW32__", "__CYGWIN__", "CYGWIN",
                       "hpux", "__hpux", "__alpha", "__MRC__", "__APPLE__", "macintosh", "_MSC_VER", "NRNGPU",
                       "CORENEURON_BUILD"})
VERSION_MACROS = {"NRN_VERSION_EQ": "==", "NRN_VERSION_NE": "!=", "NRN_VERSION_GT": ">", "NRN_VERSION_LT": "<",
                  "NRN_VERSION_GTEQ": ">=", "NRN_VERSION_LTEQ": "<="}

_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIRECTIVE = re.compile(r"[ \t]*#[ \t]*([A-Za-z_]*)(.*)")
_TOKEN = re.compile(r"\s*(?:([0-9]+)|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||==|!=|<=|>=|[-+*/!<>(),]))")


class PreprocessorError(Exception):
    """A preprocessor line bridge does not evaluate: the reason and the block's 1-based line."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line


@dataclass(frozen=True)
class Macro:
    """An object-like macro: `text` its number as written ("" for `#define NAME`), `line` where defined
    (1-based, in its block)."""

    name: str
    text: str
    line: int = 0

    @property
    def is_int(self) -> bool:
        return bool(re.fullmatch(r"[-+]?[0-9]+", self.text))


@dataclass
class CFile:
    """What a file's VERBATIM blocks carry from one to the next (in file order): the C macros in force, nocmodl's
    NRN_VECTORIZED (None: unknown), and each macro the file defined with its block's location."""

    vectorized: int | None = None
    macros: dict[str, Macro] = field(default_factory=dict)
    defined: list[tuple[Macro, SourceLocation]] = field(default_factory=list)


@dataclass
class Preprocessed:
    """The block's text with its preprocessor lines blank; the macros in force at its end; where each macro of
    the file is in force in the text (`spans`: start, end character positions); those this block defined."""

    text: str
    macros: dict[str, Macro]
    spans: list[tuple[int, int, Macro]] = field(default_factory=list)
    defined: list[Macro] = field(default_factory=list)
    _by_name: dict[str, list[tuple[int, int, Macro]]] | None = None

    def macro_at(self, name: str, pos: int) -> Macro | None:
        if self._by_name is None:
            self._by_name = {}
            for span in self.spans:
                self._by_name.setdefault(span[2].name, []).append(span)
        for start, end, m in self._by_name.get(name, ()):
            if start <= pos < end:
                return m
        return None


def preprocess(text: str, macros: dict[str, Macro], vectorized: int | None) -> Preprocessed:
    """`text` evaluated (module docstring), with `macros` the file's macros before the block and `vectorized`
    nocmodl's NRN_VECTORIZED (None: unknown). Raises `PreprocessorError`."""
    if "#" not in text:
        return Preprocessed(text, dict(macros), [(0, len(text), m) for m in macros.values()])
    shadow, in_comment = _shadow(text)
    lines = text.split("\n")
    shadow_lines = shadow.split("\n")
    macros = dict(macros)
    start_of = dict.fromkeys(macros, 0)
    out, spans, defined = [], [], []
    stack: list[list] = []  # per open #if: [the enclosing group is active, a branch was taken, active now, line]
    pos = 0
    for k, (line, code) in enumerate(zip(lines, shadow_lines, strict=True)):
        number = k + 1
        active = all(g[2] for g in stack)
        m = _DIRECTIVE.match(code) if not in_comment[k] else None
        blank = not active
        if m is not None and m.group(1) != "include":
            blank = True
            if code.rstrip().endswith("\\"):
                raise PreprocessorError("a preprocessor line continued with '\\'", number)
            word, rest = m.group(1), m.group(2).strip()
            if word in ("if", "ifdef", "ifndef"):
                if not active:
                    stack.append([False, True, False, number])
                else:
                    value = _condition(word, rest, macros, vectorized, shadow_lines[k + 1:], number)
                    stack.append([True, value, value, number])
            elif word in ("elif", "else"):
                if not stack:
                    raise PreprocessorError(f"#{word} without #if", number)
                group = stack[-1]
                if not group[0] or group[1]:
                    group[2] = False
                else:
                    value = True if word == "else" else _condition("if", rest, macros, vectorized, (), number)
                    group[1], group[2] = value, value
            elif word == "endif":
                if not stack:
                    raise PreprocessorError("#endif without #if", number)
                stack.pop()
            elif active and word == "define":
                macro = _define(rest, number)
                if macro.name in macros or macro.name in DEFINED_EMPTY | DEFINED_CODE or macro.name in VERSION_MACROS \
                        or macro.name == "NRN_VECTORIZED":
                    raise PreprocessorError(f"#define of {macro.name}, which is defined already", number)
                macros[macro.name], start_of[macro.name] = macro, pos + len(line)
                defined.append(macro)
            elif active and word == "undef":
                name = rest.split()[0] if rest.split() else ""
                if name not in macros:
                    raise PreprocessorError(f"#undef of {name[:40] or 'nothing'} (bridge undefines only a macro the "
                                            "file itself defined)", number)
                spans.append((start_of.pop(name), pos, macros.pop(name)))
            elif active:
                raise PreprocessorError(f"the preprocessor line #{word[:20]}", number)
        if blank:
            if in_comment[k] or in_comment[k + 1]:
                raise PreprocessorError("a comment that crosses a preprocessor line or a skipped group", number)
            line = re.sub(r"[^\s]", " ", line)
        out.append(line)
        pos += len(line) + 1
    if stack:
        raise PreprocessorError("#if without #endif in the block", stack[-1][3])
    spans += [(start_of[n], len(text) + 1, mac) for n, mac in macros.items()]
    return Preprocessed("\n".join(out), macros, spans, defined)


def _define(rest: str, line: int) -> Macro:
    m = _NAME.match(rest)
    if m is None:
        raise PreprocessorError("#define without a name", line)
    name, value = m.group(0), rest[m.end():]
    if value.startswith("("):  # no space before the parenthesis: C's function-like macro
        raise PreprocessorError(f"the function-like macro {name[:40]}", line)
    value = value.strip()
    if value.startswith("(") and value.endswith(")"):  # `#define VHALF (-40.0)`
        value = value[1:-1].strip()
    if value and not _NUMBER.fullmatch(value):
        raise PreprocessorError(f"#define {name[:40]} of something other than a number (bridge uses numeric "
                                "macros only)", line)
    return Macro(name, value, line)


def _condition(word: str, rest: str, macros: dict[str, Macro], vectorized: int | None, after, line: int) -> bool:
    """The value of `#if rest` (`#ifdef`, `#ifndef`: of the name `rest`); `after`: the following lines."""
    if word != "if":
        name = rest.split()[0] if rest.split() else ""
        if word == "ifndef" and name not in macros and _guard(name, after):
            return True  # the include-guard idiom: `#ifndef X` then `#define X`
        return _defined(name, macros, vectorized, line) == (word == "ifdef")
    if len(rest) > MAX_CONDITION:
        raise PreprocessorError(f"an #if condition over {MAX_CONDITION} characters", line)
    return _evaluate(_tokens(rest, macros, vectorized, line), line) != 0


def _guard(name: str, after) -> bool:
    for code in after:
        m = _DIRECTIVE.match(code)
        if m is None:
            if code.strip():
                return False
            continue
        return m.group(1) == "define" and m.group(2).split()[:1] == [name]
    return False


def _defined(name: str, macros: dict[str, Macro], vectorized: int | None, line: int) -> bool:
    if name in macros or name in DEFINED_EMPTY or name in DEFINED_CODE or name in VERSION_MACROS:
        return True
    if name == "NRN_VECTORIZED":
        return True  # nocmodl's first line defines it, 0 or 1
    if name in UNDEFINED:
        return False
    raise PreprocessorError(f"a preprocessor condition on {name[:40] or 'nothing'}, whose definition bridge does "
                            "not know", line)


def _tokens(rest: str, macros: dict[str, Macro], vectorized: int | None, line: int) -> list:
    """The condition as ints and operators: `defined X`, the version macros and known names evaluated."""
    raw: list[str] = []
    at = 0
    while at < len(rest):
        m = _TOKEN.match(rest, at)
        if m is None:
            if rest[at:].strip() == "":
                break
            raise PreprocessorError(f"an #if condition bridge does not read: {rest[:40]!r}", line)
        raw.append(m.group(m.lastindex or 0))
        at = m.end()
    out: list = []
    k = 0
    while k < len(raw):
        tok = raw[k]
        if tok == "defined":
            if raw[k + 1:k + 2] == ["("] and raw[k + 3:k + 4] == [")"]:
                out.append(int(_defined(raw[k + 2], macros, vectorized, line)))
                k += 4
                continue
            if k + 1 < len(raw) and _NAME.fullmatch(raw[k + 1]):
                out.append(int(_defined(raw[k + 1], macros, vectorized, line)))
                k += 2
                continue
            raise PreprocessorError("'defined' without a name", line)
        if tok in VERSION_MACROS:
            args = raw[k + 1:k + 8]
            if len(args) != 7 or args[0::2] != ["(", ",", ",", ")"] or not all(a.isdigit() for a in args[1::2]):
                raise PreprocessorError(f"{tok} without three integer arguments", line)
            ours, theirs = NEURON_VERSION, tuple(int(a) for a in args[1::2])
            out.append(int({"==": ours == theirs, "!=": ours != theirs, ">": ours > theirs, "<": ours < theirs,
                            ">=": ours >= theirs, "<=": ours <= theirs}[VERSION_MACROS[tok]]))
            k += 8
            continue
        if tok.isdigit():
            if len(tok) > 18 or (len(tok) > 1 and tok.startswith("0")):
                raise PreprocessorError(f"the integer {tok[:20]} in an #if condition (octal, or beyond C's long)", line)
            out.append(int(tok))
        elif _NAME.fullmatch(tok):
            out.append(_name_value(tok, macros, vectorized, line))
        else:
            out.append(tok)
        k += 1
    return out


def _name_value(name: str, macros: dict[str, Macro], vectorized: int | None, line: int) -> int:
    macro = macros.get(name)
    if macro is not None and macro.is_int:
        return int(macro.text)
    if name == "NRN_VECTORIZED" and vectorized is not None:
        return vectorized
    if name in UNDEFINED:
        return 0  # C: a name left after macro expansion is 0
    raise PreprocessorError(f"{name[:40]} in an #if condition (bridge evaluates integer macros of the file and "
                            "NEURON's version macros)", line)


_BINARY: dict[str, tuple[int, Callable[[int, int], int]]] = {
    "||": (1, lambda a, b: int(bool(a) or bool(b))), "&&": (2, lambda a, b: int(bool(a) and bool(b))),
    "==": (3, lambda a, b: int(a == b)), "!=": (3, lambda a, b: int(a != b)),
    "<": (4, lambda a, b: int(a < b)), "<=": (4, lambda a, b: int(a <= b)),
    ">": (4, lambda a, b: int(a > b)), ">=": (4, lambda a, b: int(a >= b)),
    "+": (5, lambda a, b: a + b), "-": (5, lambda a, b: a - b), "*": (6, lambda a, b: a * b),
}


def _evaluate(tokens: list, line: int) -> int:
    """C's value of an #if condition of ints, `! - +` (unary), `* / + -`, comparisons, `&& ||` and parentheses
    (shunting-yard: no recursion). Division truncates toward zero; by zero it is refused."""
    values: list[int] = []
    ops: list[str] = []

    def apply(op: str) -> None:
        if op in ("!", "neg", "pos"):
            if not values:
                raise PreprocessorError("an #if condition bridge does not read", line)
            a = values.pop()
            values.append(int(not a) if op == "!" else -a if op == "neg" else a)
            return
        if len(values) < 2:
            raise PreprocessorError("an #if condition bridge does not read", line)
        b, a = values.pop(), values.pop()
        if op == "/":
            if b == 0:
                raise PreprocessorError("division by zero in an #if condition", line)
            values.append(abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1))
        else:
            values.append(_BINARY[op][1](a, b))

    def prec(op: str) -> int:
        return 7 if op in ("!", "neg", "pos") else 6 if op == "/" else _BINARY[op][0]

    expect_value = True
    for tok in tokens:
        if isinstance(tok, int):
            if not expect_value:
                raise PreprocessorError("an #if condition bridge does not read", line)
            values.append(tok)
            expect_value = False
        elif tok == "(":
            ops.append(tok)
        elif tok == ")":
            while ops and ops[-1] != "(":
                apply(ops.pop())
            if not ops:
                raise PreprocessorError("unbalanced parentheses in an #if condition", line)
            ops.pop()
        elif expect_value and tok in ("!", "-", "+"):
            ops.append({"!": "!", "-": "neg", "+": "pos"}[tok])
        elif tok in _BINARY or tok == "/":
            while ops and ops[-1] != "(" and prec(ops[-1]) >= prec(tok):
                apply(ops.pop())
            ops.append(tok)
            expect_value = True
        else:
            raise PreprocessorError(f"{str(tok)[:20]!r} in an #if condition", line)
    while ops:
        op = ops.pop()
        if op == "(":
            raise PreprocessorError("unbalanced parentheses in an #if condition", line)
        apply(op)
    if len(values) != 1:
        raise PreprocessorError("an #if condition bridge does not read", line)
    return values[0]


def _shadow(text: str) -> tuple[str, list[bool]]:
    """`text` with comments and string/char literals made spaces (newlines kept), and per line (one more for
    the end) whether it begins inside a block comment."""
    out = []
    starts = [False]
    state = "code"
    k, n = 0, len(text)
    while k < n:
        ch = text[k]
        two = text[k:k + 2]
        if ch == "\n":
            if state in ("line", "string", "char"):
                state = "code"
            out.append("\n")
            starts.append(state == "block")
            k += 1
            continue
        if state == "code":
            if two == "/*":
                state, k = "block", k + 2
                out.append("  ")
                continue
            if two == "//":
                state = "line"
            elif ch == '"':
                state = "string"
            elif ch == "'":
                state = "char"
            out.append(ch if state == "code" else " ")
        elif state == "block":
            if two == "*/":
                state, k = "code", k + 2
                out.append("  ")
                continue
            out.append(" ")
        elif state in ("string", "char"):
            if ch == "\\" and k + 1 < n and text[k + 1] != "\n":
                out.append("  ")
                k += 2
                continue
            if ch == ('"' if state == "string" else "'"):
                state = "code"
            out.append(" ")
        else:
            out.append(" ")
        k += 1
    starts.append(state == "block")
    return "".join(out), starts
