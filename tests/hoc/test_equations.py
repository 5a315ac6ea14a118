"""HOC's equation solver (eqinit, depvar, eqn, solve; bridge.hoc.equations) against NEURON: the same bits."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import HocSession
from bridge.errors import HocError

DATA = Path(__file__).resolve().parent / "data"


def _neuron(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from neuron import h\n" + code], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.neuron
def test_equations_match_neuron_to_the_bit():
    """ModelDB 222321's use (two linear equations in a proc), a nonlinear system with a right-side-only term and
    a new delta, Newton steps, a zero pivot, and a second system after a moved pivot (NEURON's back substitution
    indexes rhs by column; bridge does the same): every value printed with 17 digits."""
    path = DATA / "equations.hoc"
    proc = _neuron(f"h.load_file({str(path)!r})\n")
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    out = io.StringIO()
    HocSession(stdout=out).load_file(path)
    assert out.getvalue().splitlines() == theirs
    assert len(theirs) > 10


@pytest.mark.neuron
@pytest.mark.parametrize("text, message", [
    ("eqinit()\ndepvar a\neqn a:: a = 1\nb = solve()\nb = solve()\n", "indeterminate system"),
    ("eqinit()\ndepvar a\ndepvar a\n", "made dependent twice"),
    ("eqinit()\ndepvar a\nc = 1\neqn c:: a = 1\n", "illegal equation name"),
])
def test_equation_errors_as_neuron(tmp_path, text, message):
    path = tmp_path / "e.hoc"
    path.write_text(text)
    proc = _neuron(f"print(h.load_file({str(path)!r}))\n")
    assert message in proc.stderr
    with pytest.raises(HocError, match=message):
        HocSession(stdout=io.StringIO()).load_file(path)


def test_solve_before_every_row_is_refused(tmp_path):
    """NEURON would solve with a right-hand side it never set (malloc'ed memory)."""
    path = tmp_path / "e.hoc"
    path.write_text("eqinit()\ndepvar a, b\neqn a:: a = 1\nx = solve()\n")
    with pytest.raises(HocError, match="uninitialized"):
        HocSession(stdout=io.StringIO()).load_file(path)
