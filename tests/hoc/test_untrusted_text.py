"""Untrusted HOC text: any bytes give a HocSyntaxError at the right file:line:col (or load as
NEURON loads them), never a raw Python exception.

NEURON 9.0.2's behaviour, checked with `h.load_file` on the same bytes: a non-ASCII letter,
a form feed, vertical tab, \\x1c-\\x1f, NEL (U+0085) or NUL outside strings and comments is a
syntax error ("character \\035 at position 0 is not printable"); inside comments and strings
such characters are kept.
"""

from __future__ import annotations

import io

import pytest

from bridge import HocSession
from bridge.errors import HocError, HocSyntaxError, NmodlSyntaxError, SourceLocation, caret_excerpt


def _load(tmp_path, data: bytes, **kw):
    (tmp_path / "m.hoc").write_bytes(data)
    out = io.StringIO()
    hoc = HocSession(cwd=tmp_path, stdout=out, **kw)
    hoc.load_file("m.hoc")
    return hoc, out.getvalue()


def _refused(tmp_path, data: bytes) -> HocSyntaxError:
    with pytest.raises(HocSyntaxError) as err:
        _load(tmp_path, data)
    return err.value


def test_a_non_ascii_letter_in_a_name_is_a_syntax_error_with_a_caret(tmp_path):
    err = _refused(tmp_path, "x = 1\n\u00b5 = 1\n".encode())
    assert f"{tmp_path / 'm.hoc'}:2:1:" in str(err)
    assert "U+00B5" in err.message and "ASCII" in err.message
    assert err.excerpt == "    \u00b5 = 1\n    ^"
    err = _refused(tmp_path, "x\u00e9 = 1\n".encode())
    assert err.location.line == 1 and err.location.column == 2


@pytest.mark.parametrize("ch", ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\u2028", "\x01", "\x7f"])
def test_line_break_and_control_characters_are_refused_on_the_right_line(ch, tmp_path):
    err = _refused(tmp_path, f"x = 1\ny = 2 {ch}\nz = 3\n".encode())
    assert (err.location.line, err.location.column) == (2, 7)
    assert f"U+{ord(ch):04X}" in err.message
    assert err.excerpt.splitlines()[0] == "    y = 2 ?"  # the line the caret is under, not a neighbour


@pytest.mark.parametrize("data, line", [(b"\x1d", 1), (b"\n\n\x01\x02\n", 3), (b"\x0c\n", 1)])
def test_a_file_of_only_control_characters_is_refused(data, line, tmp_path):
    err = _refused(tmp_path, data)
    assert err.location.line == line and err.location.column == 1


def test_control_characters_inside_comments_and_strings_are_kept(tmp_path):
    hoc, out = _load(tmp_path, b'x = 1 // a\x01b\x0c\nstrdef s\ns = "a\x01b"\nprint s\n/* \x1d */ y = 2\n')
    assert (hoc.x, hoc.y, hoc.s) == (1.0, 2.0, "a\x01b")


def test_non_ascii_text_in_strings_and_comments_loads(tmp_path):
    hoc, out = _load(tmp_path, "// \u00b5m, Schr\u00f6dinger\nstrdef s\ns = \"\u00b5m\"\nprint s\n".encode())
    assert hoc.s == "\u00b5m" and out == "\u00b5m\n"


@pytest.mark.parametrize("data, where", [(b"x = 1\ny = 2\x00\n", (2, 6)), (b'strdef s\ns = "a\x00"\n', (2, 7)),
                                         (b"// \x00\n", (1, 4))])
def test_a_nul_byte_is_refused_anywhere(data, where, tmp_path):
    err = _refused(tmp_path, data)
    assert (err.location.line, err.location.column) == where
    assert "NUL" in err.message


def test_invalid_utf8_outside_strings_is_a_syntax_error(tmp_path):
    err = _refused(tmp_path, b"x = 1\ny = \xff 2\n")
    assert (err.location.line, err.location.column) == (2, 5)
    assert "UTF-8" in err.message


def test_invalid_utf8_in_a_comment_loads(tmp_path):
    hoc, _ = _load(tmp_path, b"// M\xfcller 1994 (Latin-1)\nx = 3\n")
    assert hoc.x == 3.0


def test_a_byte_order_mark_is_refused(tmp_path):
    # NEURON runs the first line of such a file and silently drops the rest
    err = _refused(tmp_path, b"\xef\xbb\xbfx = 3\ny = 5\n")
    assert (err.location.line, err.location.column) == (1, 1)
    assert "byte-order mark" in err.message


@pytest.mark.parametrize("data", [b"", b"\n\n", b"  \t\n// only a comment\n/* and\nanother */\n", b"\r\n\r\n"])
def test_an_empty_file_loads(data, tmp_path):
    hoc, out = _load(tmp_path, data)
    assert out == ""


def test_line_ends_old_mac_and_dos_number_lines_the_same(tmp_path):
    for nl in (b"\n", b"\r\n", b"\r"):
        err = _refused(tmp_path, nl.join([b"x = 1", b"y = 2", b"z = \x1d", b""]))
        assert (err.location.line, err.location.column) == (3, 5)


@pytest.mark.parametrize("text", ["x = 1\n\ud800 = 2", 'strdef s\ns = "\udcff"', "// \ud800\nx = 1"])
def test_a_lone_surrogate_from_python_is_a_syntax_error(text):
    with pytest.raises(HocSyntaxError) as err:
        HocSession(stdout=io.StringIO())(text)
    assert err.value.location.filename == "<python>"
    assert "surrogate" in err.value.message


def test_text_from_python_gets_the_same_checks():
    with pytest.raises(HocSyntaxError) as err:
        HocSession()("x = 1\n\u00b5 = 2")
    assert str(err.value).startswith("<python>:2:1:")
    with pytest.raises(HocSyntaxError, match="NUL"):
        HocSession()("x = 1\0")


def test_execute_of_a_bad_character_names_the_executed_text():
    with pytest.raises(HocSyntaxError) as err:
        HocSession()('execute("y = \x1d")')
    assert "U+001D" in str(err.value) and str(err.value).startswith("<execute at <python>:1:1>:1:6:")


@pytest.mark.parametrize("method", ["head", "tail"])
def test_a_bad_regular_expression_is_a_hoc_error(method):
    with pytest.raises(HocError, match="bad regular expression") as err:
        HocSession()(f'objref sf\nsf = new StringFunctions()\nstrdef s, r\ns = "abc"\nsf.{method}(s, "(", r)')
    assert str(err.value).startswith("<python>:5:1:")


def test_an_unterminated_string_is_a_syntax_error(tmp_path):
    err = _refused(tmp_path, b'strdef s\ns = "abc\nx = 1\n')
    assert err.location.line == 2


# -- the excerpt: one line-numbering rule for HOC and NMODL ---------------------------------------

def test_caret_excerpt_counts_lines_at_newlines_only():
    source = "a\x0cb\x1cc\x85d\u2028e\nsecond line\n"
    assert caret_excerpt(source, 2, 3) == "    second line\n      ^"
    assert caret_excerpt(source, 1, 3) == "    a?b?c?d?e\n      ^"  # control characters shown as '?'
    assert caret_excerpt(source, 3, 1) == "    \n    ^"
    assert caret_excerpt(source, 4, 1) == ""


def test_caret_excerpt_of_a_very_long_line_is_short():
    source = "x" * 10_000_000 + "@" + "y" * 1000
    excerpt = caret_excerpt(source, 1, 10_000_001)
    first, caret = excerpt.split("\n")
    assert len(first) < 200 and first[len(caret) - 1] == "@"


def test_nmodl_error_excerpt_uses_the_same_rule():
    err = NmodlSyntaxError("bad", SourceLocation("a.mod", 2, 1), "NEURON { SUFFIX a }\x0c\nPARAMETER { = }\n")
    assert err.excerpt.splitlines()[0] == "    PARAMETER { = }"


def test_nmodl_syntax_error_after_a_form_feed_shows_its_line():
    from bridge.nmodl import parse

    with pytest.raises(NmodlSyntaxError) as err:
        parse("NEURON { SUFFIX a }\x0c\nPARAMETER { x = }\n", "a.mod")
    assert err.value.location.line == 2 and "PARAMETER { x = }" in err.value.excerpt
