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


# enough `..` to reach / from any tmp_path (under pytest-xdist it is a level deeper: popen-gw0/), where
# /etc/passwd exists (a name outside the roots that names no file is not refused: NEURON's 0)
@pytest.mark.parametrize("name", ["/etc/passwd", "../" * 16 + "etc/passwd", 'a\\nb\\"c'])
def test_clipboard_retrieve_reads_only_inside_the_read_roots(tmp_path, name):
    """The file a model names goes through File.ropen's read roots: an absolute path or `..` out of the model's
    folder is refused, and a name with a newline or a quote is only a name (no such file: NEURON's one 0)."""
    path = tmp_path / "model.hoc"
    path.write_text(f'load_file("stdlib.hoc")\nclipboard_retrieve("{name}")\nprint hoc_obj_[0].size()\n')
    out = io.StringIO()
    session = HocSession(stdout=out, cwd=tmp_path)
    if name.startswith(("/", "..")):
        with pytest.raises(HocError, match="outside the folders"):
            session.load_file(path)
    else:
        session.load_file(path)
        assert out.getvalue().split()[-1] == "1"


@pytest.mark.neuron
def test_a_models_own_use_of_clipboard_file_as_neuron(tmp_path):
    """stdlib.hoc declares `objref clipboard_file[2]` (NULLobjects): a model may make its own File there and
    write with it, as ModelDB 143604's init_figs.hoc does (`clipboard_file = new File()`, then
    `clipboard_file[0].wopen(...)`). The file written and the printed lines are NEURON's."""
    text = ('load_file("nrngui.hoc")\nproc wv() {\n  clipboard_file = new File()\n'
            '  if (clipboard_file[0].wopen("out.txt")) {\n    clipboard_file[0].printf("%g\\t%g\\n", 1.5, $1)\n'
            '    clipboard_file[0].close()\n  }\n  print object_id(clipboard_file[1])\n}\nwv(2.25)\nprint "end"\n')
    theirs_dir, ours_dir = tmp_path / "neuron", tmp_path / "bridge"
    for d in (theirs_dir, ours_dir):
        d.mkdir()
        (d / "m.hoc").write_text(text)
    code = "from neuron import h\nh.load_file('m.hoc')\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=theirs_dir)
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    assert theirs[-1] == "end", proc.stderr[-2000:]
    out = io.StringIO()
    HocSession(stdout=out, cwd=ours_dir, output_dir=ours_dir).load_file(ours_dir / "m.hoc")
    assert out.getvalue().splitlines() == theirs
    assert (ours_dir / "out.txt").read_text() == (theirs_dir / "out.txt").read_text() == "1.5\t2.25\n"
