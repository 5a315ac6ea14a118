"""xopen of a missing file (ModelDB 222359's "voltage.ses", 146376's empty name from a headless File.chooser):
NEURON stops with "Can't open", an error that execute1 catches; bridge does the same."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from bridge import HocSession
from bridge.errors import HocError


def _neuron(path) -> subprocess.CompletedProcess:
    code = f"from neuron import h\nh.load_file({str(path)!r})\nprint('x', h.x)\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.neuron
def test_xopen_missing_caught_by_execute1(tmp_path):
    path = tmp_path / "a.hoc"
    path.write_text('x = execute1("xopen(\\"nothere.ses\\")")\nprint x\n')
    proc = _neuron(path)
    assert "Can't open" in proc.stderr and "x 0.0" in proc.stdout
    out = io.StringIO()
    session = HocSession(stdout=out)
    session.load_file(path)
    assert out.getvalue().split()[-1] == "0"  # (bridge prints execute1's error message on stdout, NEURON on stderr)


@pytest.mark.neuron
@pytest.mark.parametrize("text", ['xopen("nothere.ses")\nx = 2\n',
                                  'strdef s\nproc p() { xopen($s1) }\np(s)\nx = 2\n'])
def test_xopen_missing_stops_the_file(tmp_path, text):
    path = tmp_path / "a.hoc"
    path.write_text("x = 1\n" + text)
    proc = _neuron(path)
    assert "Can't open" in proc.stderr and "x 2" not in proc.stdout
    with pytest.raises(HocError, match="NEURON stops here too"):
        HocSession(stdout=io.StringIO()).load_file(path)
