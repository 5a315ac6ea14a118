"""A RANGE or GLOBAL that names a PROCEDURE or FUNCTION (ModelDB 136023's `RANGE new_seed`): NEURON 9.0.2's
nocmodl refuses the file ("new_seed used as both variable and function"), so bridge refuses it too, at the
declaration."""

from __future__ import annotations

import pytest

from bridge.errors import SemanticError

from .test_analyze import _raises
from .test_oracle import _nocmodl, _nocmodl_accepts

CASES = [f"NEURON {{ SUFFIX t {decl} p }}\nASSIGNED {{ v q }}\n{body}"
         for decl in ("RANGE", "GLOBAL") for body in ("PROCEDURE p(x) { }", "FUNCTION p(x) { p = x }")]


@pytest.mark.parametrize("text", CASES)
def test_refused_by_bridge_at_the_declaration(text):
    _raises(SemanticError, "'p' is used both as a variable and as a function", text, 1)


@pytest.mark.neuron
@pytest.mark.parametrize("text", CASES)
def test_refused_by_nocmodl_too(text, tmp_path):
    exe = _nocmodl()
    if exe is None:
        pytest.skip("nocmodl not found")
    assert not _nocmodl_accepts(exe, text, tmp_path, "t")
    assert _nocmodl_accepts(exe, text.replace(" p }", " q }", 1), tmp_path, "t")  # the same file without it
