"""stdlib.hoc's clipboard_retrieve without a display (bridge.hoc.clipboard) against NEURON: the Vectors it
fills, printed to 17 digits (ModelDB 82894 reads its reference traces with it)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import HocSession
from bridge.errors import HocError

DATA = Path(__file__).resolve().parent / "data" / "clipboard"


def _neuron(path: Path) -> subprocess.CompletedProcess:
    code = f"from neuron import h\nh.load_file({str(path)!r})\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.neuron
def test_clipboard_retrieve_matches_neuron():
    """Plain pairs (numbers rounded to float by %g, then read as doubles), a label line and a count, an empty
    label, and a missing file (two Vectors of one 0; NEURON's continue_dialog prints nothing headless)."""
    path = DATA / "clipboard.hoc"
    proc = _neuron(path)
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    out = io.StringIO()
    HocSession(stdout=out).load_file(path)
    assert out.getvalue().splitlines() == theirs
    assert len(theirs) == 13


@pytest.mark.neuron
def test_clipboard_retrieve_number_missing_at_the_end():
    """A last pair with its second number missing: HOC's fscan error in NEURON and in bridge."""
    path = DATA / "short.hoc"
    assert "EOF in fscan" in _neuron(path).stderr
    with pytest.raises(HocError, match="end of file"):
        HocSession(stdout=io.StringIO()).load_file(path)
