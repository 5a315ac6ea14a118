from bridge.errors import NmodlSyntaxError, SourceLocation, caret_excerpt


def test_caret_points_at_column():
    text = "NEURON {\n  SUFFIX 1hh\n}\n"
    assert caret_excerpt(text, 2, 10) == "      SUFFIX 1hh\n             ^"


def test_syntax_error_message_names_file_line_column_and_expected():
    err = NmodlSyntaxError("unexpected '1hh'", SourceLocation("hh.mod", 2, 10), "NEURON {\n  SUFFIX 1hh\n}\n",
                           expected=("a name",))
    text = str(err)
    assert text.startswith("hh.mod:2:10: syntax error: unexpected '1hh'")
    assert "SUFFIX 1hh" in text and text.endswith("^")
    assert err.expected == ("a name",)
