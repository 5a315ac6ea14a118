"""bridge.nmodl.syntax.diagnostics: syntax errors say where (file:line:col, caret) and what was expected, in words."""

from __future__ import annotations

import pytest

from bridge.errors import NmodlSyntaxError
from bridge.nmodl import parse
from bridge.nmodl.syntax.diagnostics import describe_terminal
from bridge.nmodl.syntax.parse import _parser

from .invalid_cases import INVALID, INVALID_NOCMODL_ONLY

ALL_INVALID = INVALID + INVALID_NOCMODL_ONLY


@pytest.mark.parametrize("source,line,column,words", ALL_INVALID, ids=[repr(c[0])[:40] for c in ALL_INVALID])
def test_invalid_input_reports_line_column_and_expectation(source, line, column, words):
    with pytest.raises(NmodlSyntaxError) as info:
        parse(source, filename="bad.mod")
    err = info.value
    assert (err.location.filename, err.location.line, err.location.column) == ("bad.mod", line, column)
    text = str(err)
    assert text.startswith(f"bad.mod:{line}:{column}: syntax error: ")
    for w in words:
        assert w in err.message
    # the excerpt is the offending line with a caret under the column
    src_line = source.splitlines()[line - 1] if line <= len(source.splitlines()) else ""
    if src_line:
        shown, caret = err.excerpt.splitlines()
        assert shown.strip() == src_line.expandtabs(1).strip()
        assert caret.index("^") - 4 == column - 1


def test_no_lark_names_leak_into_messages():
    for source, *_ in ALL_INVALID:
        with pytest.raises(NmodlSyntaxError) as info:
            parse(source)
        msg = info.value.message
        for lark_name in ("RBRACE", "LBRACE", "RPAR", "LPAR", "__ANON", "$END", "NAME", "COMMA", "EQUAL"):
            assert lark_name not in msg, msg


def test_expected_tokens_are_listed_on_the_error():
    with pytest.raises(NmodlSyntaxError) as info:
        parse("NEURON { SUFFIX }")
    assert info.value.expected == ("a name",)


def test_terminal_descriptions():
    terminals = {t.name: t for t in _parser()[0].terminals}
    rbrace = next(n for n, t in terminals.items() if getattr(t.pattern, "value", None) == "}")
    assert describe_terminal(rbrace, terminals) == "'}'"
    assert describe_terminal("NAME", terminals) == "a name"
    assert describe_terminal("UNIT", terminals) == "units in parentheses like (mV)"
    assert describe_terminal("$END", terminals) == "end of file"
    solve = next(n for n, t in terminals.items() if getattr(t.pattern, "value", None) == "SOLVE")
    assert describe_terminal(solve, terminals) == "SOLVE"


def test_errors_in_unclosed_comment_and_verbatim_point_at_their_start():
    for source in ("COMMENT\nnever closed\n", "NEURON { SUFFIX a }\nVERBATIM\nint x;\n"):
        with pytest.raises(NmodlSyntaxError) as info:
            parse(source)
        loc = info.value.location
        assert loc.column == 1 and source.splitlines()[loc.line - 1] in ("COMMENT", "VERBATIM")


def test_non_ascii_text_does_not_crash():
    with pytest.raises(NmodlSyntaxError):
        parse("NEURON { SUFFIX é }")
    assert parse("COMMENT\n µ café\nENDCOMMENT\nNEURON { SUFFIX a } : µm").neuron.name == "a"


def test_long_expectations_are_grouped_in_words():
    cases = {
        "BREAKPOINT { x = 1 ]": ("'}' or a statement", "COMPARTMENT"),
        "NEURON { SUFFIX a } x": ("a block like NEURON, PARAMETER or BREAKPOINT", "DESTRUCTOR"),
        "NEURON { SUFFIX a RANGE b c }": ("a NEURON block statement like SUFFIX, USEION or RANGE", "BBCOREPOINTER"),
        "BREAKPOINT { x = 1": ("a statement or an operator", "'&&'"),
    }
    for source, (present, absent) in cases.items():
        with pytest.raises(NmodlSyntaxError) as info:
            parse(source)
        assert present in info.value.message and absent not in info.value.message, info.value.message


def test_an_error_at_the_end_of_a_file_counts_lines_at_newlines_only():
    """A form feed or \\x85 in a comment is no line break for Lark, so it is none for the end position either."""
    from bridge.errors import NmodlSyntaxError
    from bridge.nmodl import parse

    for brk in ("\x0c", "\x85", "\u2028"):
        with pytest.raises(NmodlSyntaxError) as err:
            parse(f"NEURON {{ SUFFIX x }} : a{brk}b\nPARAMETER {{ g = 1 ", filename="end.mod")
        assert (err.value.location.line, err.value.location.column) == (2, 19)
