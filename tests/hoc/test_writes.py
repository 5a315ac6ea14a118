"""A model's file output against NEURON: the same files with the same bytes, written into the
output folder (`load_hoc(..., output_dir=...)`), and the same printed output."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import HocSession

DATA = Path(__file__).resolve().parent / "data"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.neuron
def test_written_files_match_neuron(tmp_path):
    model = DATA / "writes" / "writes.hoc"
    theirs_dir = tmp_path / "neuron"
    (theirs_dir / "results").mkdir(parents=True)  # NEURON's wopen does not make folders; bridge's output folder does
    shutil.copy(model, theirs_dir / "writes.hoc")
    proc = subprocess.run([sys.executable, "-c", "from neuron import h\nh.load_file('writes.hoc')\n"],
                          cwd=theirs_dir, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (theirs_dir / "writes.hoc").unlink()
    theirs_out = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]

    out = io.StringIO()
    ours_dir = tmp_path / "bridge"
    HocSession(stdout=out, output_dir=ours_dir).load_file(model)
    assert out.getvalue().splitlines() == theirs_out
    theirs, ours = _files(theirs_dir), _files(ours_dir)
    assert sorted(ours) == sorted(theirs) == ["fprint.txt", "matrix.txt", "results/spikes.txt", "trace.dat",
                                              "vec.bin", "vec.txt"]
    for name in theirs:
        assert ours[name] == theirs[name], name
    assert list((DATA / "writes").iterdir()) == [model]  # nothing written next to the model
