"""Fuzzing the NMODL parser: mutated real files raise NmodlSyntaxError or parse; nothing else escapes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.errors import NmodlSyntaxError
from bridge.nmodl import parse, to_nmodl

from ._corpus import example_mod_files, wheel_mod_files

SOURCES = [p.read_text(encoding="utf-8", errors="replace") for p in wheel_mod_files() + example_mod_files()]

# pieces that matter to a parser: brackets, operators, keywords, numbers with and without units
PIECES = ["{", "}", "(", ")", "[", "]", "=", "~", "<->", "<<", "->", "'", ",", "-", "^", ":", "?", "\n",
          "LOCAL", "SOLVE", "if", "else", "FROM", "TO", "TABLE", "COMMENT", "ENDCOMMENT", "VERBATIM",
          "ENDVERBATIM", "1.5e-3", "(mV)", "2", "x", "\"s\"", "é", "\t", "USEION", "READ", "@", ";", "$"]

settings.register_profile("fuzz", max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _must_only_raise_syntax_errors(text: str) -> None:
    try:
        prog = parse(text, filename="fuzz.mod")
    except NmodlSyntaxError as err:
        assert err.location.line >= 1 and err.location.column >= 1
        assert str(err)  # renders
    else:
        assert parse(to_nmodl(prog)) == prog  # whatever parses also round-trips


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "swap_lines"]))
        if kind == "insert":
            text = text[:i] + draw(st.sampled_from(PIECES)) + text[i:]
        elif kind == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 20)):]
        elif kind == "replace":
            text = text[:i] + draw(st.sampled_from(PIECES)) + text[i + 1:]
        else:
            lines = text.splitlines()
            if len(lines) > 2:
                j, k = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
                lines[j], lines[k] = lines[k], lines[j]
                text = "\n".join(lines)
    return text


@settings(settings.get_profile("fuzz"))
@given(mutated())
def test_mutated_files_raise_only_syntax_errors(text):
    _must_only_raise_syntax_errors(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES + [" ", "NEURON", "SUFFIX", "BREAKPOINT", "a", "b"]), max_size=40).map(" ".join))
def test_random_token_soup_raises_only_syntax_errors(text):
    _must_only_raise_syntax_errors(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_raises_only_syntax_errors(text):
    _must_only_raise_syntax_errors(text)
