"""Writes with an output folder (`HocSession(output_dir=...)`): only inside it, by every escape route.

Absolute names, `..`, `$(VAR)` expanding to an absolute path, a symbolic link (file or folder)
planted in the output folder, a FIFO, and too many bytes are refused, and nothing outside the
output folder changes; `system()` and `unlink` stay refused.
"""

from __future__ import annotations

import io
import os

import pytest

from bridge import HocSession, Limits
from bridge.errors import HocError, HocRefusal


@pytest.fixture()
def place(tmp_path):
    model, out, outside = tmp_path / "model", tmp_path / "out", tmp_path / "outside"
    for p in (model, out, outside):
        p.mkdir()
    (outside / "victim.txt").write_text("untouched\n")
    return model, out, outside


def _snapshot(root):
    return sorted((str(p.relative_to(root)), p.read_bytes() if p.is_file() and not p.is_symlink() else None)
                  for p in root.rglob("*"))


def _run(model, out, text, **kw):
    (model / "init.hoc").write_text(text)
    HocSession(cwd=model, output_dir=out, **kw).load_file(model / "init.hoc")


ESCAPES = {
    "absolute File.wopen": 'objref f\nf = new File()\nf.wopen("{victim}")\n',
    "absolute wopen": 'wopen("{victim}")\n',
    "absolute aopen": 'objref f\nf = new File()\nf.aopen("{victim}")\n',
    "absolute in the constructor": 'objref f\nf = new File("{victim}")\nf.wopen()\n',
    "dot dot": 'objref f\nf = new File()\nf.wopen("../outside/victim.txt")\n',
    "dot dot inside": 'objref f\nf = new File()\nf.wopen("sub/../../outside/victim.txt")\n',
    "environment variable": 'objref f\nf = new File()\nf.wopen("$(BRIDGE_TEST_OUTSIDE)/victim.txt")\n',
    "home": 'objref f\nf = new File()\nf.wopen("~/victim.txt")\n',
    "symlinked file": 'objref f\nf = new File()\nf.wopen("link.txt")\nf.printf("x")\n',
    "symlinked folder": 'objref f\nf = new File()\nf.wopen("linkdir/victim.txt")\nf.printf("x")\n',
    "symlinked file, append": 'objref f\nf = new File()\nf.aopen("link.txt")\nf.printf("x")\n',
    "fifo": 'objref f\nf = new File()\nf.wopen("fifo")\n',
    "system": 'system("touch {victim}")\n',
    "unlink": 'unlink("{victim}")\n',
    "File.unlink": 'objref f\nf = new File("{victim}")\nf.unlink()\n',
}


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_write_never_leaves_the_output_folder(escape, place, monkeypatch):
    model, out, outside = place
    victim = outside / "victim.txt"
    monkeypatch.setenv("BRIDGE_TEST_OUTSIDE", str(outside))
    (out / "link.txt").symlink_to(victim)
    (out / "linkdir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(out / "fifo")
    before = _snapshot(outside)
    with pytest.raises(HocRefusal) as err:
        _run(model, out, ESCAPES[escape].format(victim=victim))
    assert "init.hoc:" in str(err.value)
    assert victim.read_text() == "untouched\n"
    assert _snapshot(outside) == before
    assert sorted(p.name for p in model.iterdir()) == ["init.hoc"]


def test_without_an_output_folder_the_refusal_names_the_option(tmp_path):
    (tmp_path / "init.hoc").write_text('objref f\nf = new File()\nf.wopen("v.dat")\n')
    with pytest.raises(HocRefusal) as err:
        HocSession(cwd=tmp_path).load_file(tmp_path / "init.hoc")
    assert "output_dir=" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["init.hoc"]


def test_relative_names_and_their_folders_are_made_inside(place):
    model, out, _ = place
    _run(model, out, 'objref f\nf = new File()\nf.wopen("a/b/c.txt")\nf.printf("%d\\n", 3)\nf.close()\n'
                     'f.wopen("./d.txt")\nf.printf("x")\nf.close()\n')
    assert (out / "a" / "b" / "c.txt").read_text() == "3\n"
    assert (out / "d.txt").read_text() == "x"


def test_the_bytes_written_are_bounded(place):
    model, out, _ = place
    with pytest.raises(HocError) as err:
        _run(model, out, 'objref f\nf = new File()\nf.wopen("big.txt")\nwhile (1) { f.printf("%100s", "x") }\n',
             limits=Limits(max_output_bytes=10_000))
    assert "max_output_bytes" in str(err.value)
    assert (out / "big.txt").stat().st_size <= 10_000


def test_wopen_of_nothing_closes(place):
    model, out, _ = place
    (model / "init.hoc").write_text('wopen("w.txt")\nfprint("%d\\n", 1)\nwopen("")\nfprint("to stdout\\n")\n')
    printed = io.StringIO()
    HocSession(cwd=model, output_dir=out, stdout=printed).load_file(model / "init.hoc")
    assert (out / "w.txt").read_text() == "1\n"
    assert "to stdout" in printed.getvalue()
