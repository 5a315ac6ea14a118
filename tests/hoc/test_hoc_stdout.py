"""hoc_stdout("name") / hoc_stdout(): printed output switched into a file of the output folder and back,
byte for byte as NEURON 9.0.2 writes it (src/oc/fileio.cpp hoc_stdout); a second switch is NEURON's error,
and a name outside the output folder is refused like every other write."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import HocSession
from bridge.errors import BridgeError

MODEL = Path(__file__).resolve().parent / "data" / "hoc_stdout" / "model.hoc"


@pytest.mark.neuron
def test_printed_output_goes_where_neuron_puts_it(tmp_path):
    theirs = tmp_path / "neuron"
    theirs.mkdir()
    shutil.copy(MODEL, theirs / "model.hoc")
    proc = subprocess.run([sys.executable, "-c", "from neuron import h\nh.load_file('model.hoc')\n"],
                          cwd=theirs, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]

    out = io.StringIO()
    ours = tmp_path / "bridge"
    HocSession(stdout=out, output_dir=ours).load_file(MODEL)
    assert out.getvalue() == proc.stdout
    assert (ours / "printed.txt").read_bytes() == (theirs / "printed.txt").read_bytes()
    assert "into the file" in (ours / "printed.txt").read_text()  # the file is not empty on either side
    assert sorted(p.name for p in ours.iterdir()) == ["printed.txt"]


def test_a_second_switch_is_neurons_error(tmp_path):
    session = HocSession(stdout=io.StringIO(), output_dir=tmp_path)
    session('hoc_stdout("a.txt")')
    with pytest.raises(BridgeError, match="stdout already switched"):
        session('hoc_stdout("b.txt")')


@pytest.mark.parametrize("name", ["../outside.txt", "/tmp/outside.txt"])
def test_a_name_outside_the_output_folder_is_refused(tmp_path, name):
    session = HocSession(stdout=io.StringIO(), output_dir=tmp_path / "out")
    with pytest.raises(BridgeError, match="hoc_stdout"):
        session(f'hoc_stdout("{name}")')
    assert not (tmp_path / "outside.txt").exists()


def test_without_an_output_folder_the_switch_is_refused():
    with pytest.raises(BridgeError, match="output folder"):
        HocSession(stdout=io.StringIO())('hoc_stdout("a.txt")')
