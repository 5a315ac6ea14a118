"""`bridge validate --out`: the files a model writes, on both sides, compared (validation.output_files)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from bridge.errors import BridgeError
from validation import output_files
from validation.output_files import collect_written, compare_file, compare_outputs, copy_model_folder

# A model that writes, at load time, a trace HOC computes (File.printf, Vector.indgen(start, stop, step))
# into a folder the model ships, and the geometry with Vector.printf; a procedure nobody calls writes too.
WRITER = r"""load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert hh }
dend { L = 300 diam = 2 nseg = 5 insert pas g_pas = 1e-4 e_pas = -65 }
tstop = 5
objref tvec, vtrace, f, g, areas
tvec = new Vector()
tvec.indgen(0, 5, 0.25)
vtrace = new Vector(tvec.size())
for i = 0, tvec.size() - 1 vtrace.x[i] = -65 + 10 * exp(-tvec.x[i] / 1.7)
f = new File()
f.wopen("traces/decay.dat")
f.printf("t v\n")
for i = 0, tvec.size() - 1 f.printf("%g %.12g\n", tvec.x[i], vtrace.x[i])
f.close()
areas = new Vector()
forall for (x, 0) areas.append(area(x))
g = new File()
g.wopen("geometry.txt")
forall for (x, 0) g.printf("%s(%g) area %.17g ri %.17g\n", secname(), x, area(x), ri(x))
vtrace.printf(g, "%.15g\n")
areas.printf(g)
g.close()
proc save_later() { localobj h
  h = new File()
  h.wopen("later.dat")
  h.printf("%g\n", t)
  h.close()
}
"""


def folder_digest(folder: Path) -> str:
    """A hash of every file's name and bytes under `folder` (and of each folder's name)."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode() + b"\0")
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


# -- comparing files (no NEURON) ---------------------------------------------------------------------

def test_numbers_within_the_tolerance_are_the_same_and_words_must_match():
    assert compare_file("a", b"t v\n0 -65\n", b"t v\n0 -65\n", 1e-9).status == "same"
    near = compare_file("a", b"0 -65.0000000000001\n", b"0 -65\n", 1e-9)
    assert near.status == "same" and 0 < near.max_diff < 1e-9
    far = compare_file("a", b"0 -65.001\n", b"0 -65\n", 1e-9)
    assert far.status == "differs" and far.max_diff == pytest.approx(1e-3)
    assert compare_file("a", b"t V\n0 1\n", b"t v\n0 1\n", 1e-9).status == "differs"
    assert compare_file("a", b"1 2 3\n", b"1 2\n", 1e-9).status == "differs"
    assert compare_file("a", b"\xff\x00", b"\xfe\x00", 1e-9).note == "binary files differ"
    assert compare_file("a", b"nan inf\n", b"nan inf\n", 1e-9).status == "same"
    assert compare_file("a", b"1 inf\n", b"1 -inf\n", 1e-9).status == "differs"


def test_files_written_by_one_side_only_are_listed(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "sub").mkdir(parents=True)
    b.mkdir()
    (a / "sub" / "x.dat").write_text("1\n")
    (b / "y.dat").write_text("2\n")
    (a / "z.dat").write_text("3\n")
    (b / "z.dat").write_text("3\n")
    got = {f.name: f.status for f in compare_outputs(a, b, 1e-9)}
    assert got == {"sub/x.dat": "only bridge", "y.dat": "only NEURON", "z.dat": "same"}


def test_the_copy_leaves_out_links_and_finds_what_changed(tmp_path):
    src, copy, dest = tmp_path / "model", tmp_path / "copy", tmp_path / "dest"
    (src / "data").mkdir(parents=True)
    (src / "empty").mkdir()
    (src / "m.hoc").write_text("x = 1\n")
    (src / "data" / "in.dat").write_text("1 2\n")
    (tmp_path / "secret").write_text("outside\n")
    (src / "link").symlink_to(tmp_path / "secret")
    (src / "dlink").symlink_to(tmp_path)
    os.mkfifo(src / "fifo")
    manifest = copy_model_folder(src, copy)
    assert sorted(manifest) == ["data/in.dat", "m.hoc"]
    assert (copy / "empty").is_dir() and not (copy / "link").exists() and not (copy / "dlink").exists()
    (copy / "data" / "in.dat").write_text("changed\n")
    (copy / "data" / "new.dat").write_text("new\n")
    assert collect_written(copy, manifest, copy / "data", dest) == ["in.dat", "new.dat"]
    assert (dest / "in.dat").read_text() == "changed\n" and not (copy / "data" / "new.dat").exists()
    (copy / "top.dat").write_text("outside the working directory\n")
    assert collect_written(copy, manifest, copy / "data", dest) == ["_outside/top.dat"]


def test_a_file_written_with_the_content_the_folder_ships_is_collected(tmp_path):
    """ModelDB 129149 ships the NResults.res its NEURON run writes: rewritten with the same bytes, it was
    written (NEURON wrote it), and stays "only bridge" no more."""
    src, copy, dest = tmp_path / "model", tmp_path / "copy", tmp_path / "dest"
    src.mkdir()
    (src / "out.res").write_text("1 2\n")
    (src / "in.dat").write_text("3\n")
    manifest = copy_model_folder(src, copy)
    stat = os.stat(copy / "out.res")
    (copy / "out.res").write_text("1 2\n")
    os.utime(copy / "out.res", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a later write
    assert (copy / "in.dat").read_text() == "3\n"  # read, not written
    assert collect_written(copy, manifest, copy, dest) == ["out.res"]


def test_the_copy_is_bounded(tmp_path, monkeypatch):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "big.dat").write_bytes(b"0" * 2000)
    monkeypatch.setattr(output_files, "MAX_COPY_BYTES", 1000)
    with pytest.raises(BridgeError, match="too large to copy"):
        copy_model_folder(tmp_path / "m", tmp_path / "c")


# -- against NEURON ----------------------------------------------------------------------------------

@pytest.mark.neuron
def test_validate_out_compares_the_files_the_model_writes(tmp_path, capsys):
    from bridge.cli import main

    model, out = tmp_path / "model", tmp_path / "out"
    (model / "traces").mkdir(parents=True)
    (model / "traces" / "README").write_text("the model's output folder\n")
    (model / "init.hoc").write_text(WRITER)
    before = folder_digest(model)
    rc = main(["validate", str(model), "--tstop", "5", "--out", str(out), "--no-plots"])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert folder_digest(model) == before  # NEURON ran on a copy: the user's folder is unchanged
    for side in ("model-output", "neuron-output"):
        assert sorted(str(p.relative_to(out / side)) for p in (out / side).rglob("*") if p.is_file()) == \
            ["geometry.txt", "traces/decay.dat"]
    neuron_lines = (out / "neuron-output" / "traces" / "decay.dat").read_text().splitlines()
    assert len(neuron_lines) == 22 and neuron_lines[1] == "0 -55"  # NEURON's numbers, 21 samples
    assert (out / "model-output" / "geometry.txt").read_text() == (out / "neuron-output" / "geometry.txt").read_text()
    report = (out / "report.md").read_text()
    assert "| `traces/decay.dat` | same |" in report and "| `geometry.txt` | same |" in report


@pytest.mark.neuron
def test_a_file_bridge_writes_differently_fails_the_case(tmp_path):
    from validation.case import Case, Protocol
    from validation.suite import run_case

    model = tmp_path / "model"
    model.mkdir()
    # NEURON's load_file of a missing file warns and returns 0 (src/oc/fileio.cpp hoc_Load_file): the number
    # written depends on it, and on whether bridge does the same
    (model / "m.hoc").write_text('create soma\nsoma { L = 20 diam = 20 insert hh }\nobjref f\nf = new File()\n'
                                 'f.wopen("r.dat")\nf.printf("%g\\n", load_file("nothere.hoc"))\nf.close()\n')
    case = Case("lf", hoc=model / "m.hoc", protocol=Protocol(tstop=2.0, record_all=False), output_dir=tmp_path / "o")
    with pytest.warns(UserWarning, match="cannot find nothere.hoc"):
        result = run_case(case)
    assert result.status == "pass", result.error or result.comparison.reasons
    assert [(f.name, f.status) for f in result.files] == [("r.dat", "same")]
    assert (tmp_path / "o" / "neuron-output" / "r.dat").read_text() == "0\n"
    # the comparison fails a case when the files differ
    (tmp_path / "o" / "model-output" / "r.dat").write_text("1\n")
    files, reasons = output_files.compare_case_outputs(tmp_path / "o", 1e-9)
    assert files[0].status == "differs" and reasons == ["written file r.dat: differs (numbers differ by up to 1 "
                                                        "(tolerance 1e-09))"]
