"""bridge.cli: `bridge parse` (run in-process and as `python -m bridge`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bridge.cli import main

GOOD = "NEURON { SUFFIX good }\nBREAKPOINT { }\n"
BAD = "NEURON { SUFFIX bad }\nBREAKPOINT {\n  x = \n}\n"


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.mod").write_text(GOOD)
    (tmp_path / "sub" / "b.mod").write_text(BAD)
    (tmp_path / "sub" / "notes.txt").write_text("not a mod file")
    return tmp_path


def test_parse_reports_each_failing_file_on_one_line_and_a_total(tmp_path, capsys):
    root = _tree(tmp_path)
    assert main(["parse", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{root / 'sub' / 'b.mod'}:4:1: syntax error: unexpected '}}'; expected '!', '(', '-', "
                   "a derivative like m', a name or a number", "parsed 1/2 files"]


def test_parse_exit_status_zero_only_when_all_parse(tmp_path, capsys):
    root = _tree(tmp_path)
    assert main(["parse", str(root / "a.mod")]) == 0
    assert capsys.readouterr().out.strip() == "parsed 1/1 files"


def test_parse_json(tmp_path, capsys):
    root = _tree(tmp_path)
    assert main(["parse", "--json", str(root)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["parsed"], report["total"]) == (1, 2)
    ok, bad = report["files"]
    assert ok["ok"] and ok["summary"]["name"] == "good" and ok["summary"]["kind"] == "SUFFIX"
    assert not bad["ok"] and bad["error"].startswith(f"{root / 'sub' / 'b.mod'}:4:1: syntax error")


def test_parse_missing_path_is_a_clear_error(tmp_path, capsys):
    assert main(["parse", str(tmp_path / "nope.mod")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_python_dash_m_bridge_parse(tmp_path):
    root = _tree(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "bridge", "parse", str(root / "a.mod")],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "parsed 1/1 files"
    proc = subprocess.run([sys.executable, "-m", "bridge", "parse", str(root)], capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stdout.strip().endswith("parsed 1/2 files")


RUN_MODEL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh }
objref stim, vs, tv
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 5
tstop = 8
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
for k = 1, 2 {
    stim.amp = 0.3 * k
    run()
    printf("amp %g vmax %.6f size %d\\n", stim.amp, vs.max(), vs.size())
}
"""


def test_run_prints_the_models_output_and_writes_its_recorded_vectors(tmp_path, capsys):
    import numpy as np

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "init.hoc").write_text(RUN_MODEL)
    assert main(["run", str(tmp_path / "model"), "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    lines = [ln for ln in out.splitlines() if ln.startswith("amp")]
    assert [ln.split()[1] for ln in lines] == ["0.3", "0.6"] and all(ln.endswith("size 321") for ln in lines)
    assert "2 run(s)" in err and "recorded: vs, tv" in err
    saved = np.load(tmp_path / "out" / "vectors.npz")
    assert saved["vs"].shape == saved["tv"].shape == saved["t_"].shape == (321,)
    assert np.array_equal(saved["tv"], saved["t_"])
    assert f"{saved['vs'].max():.6f}" == lines[1].split()[3]  # the last run's recording



def test_run_prints_and_records_what_neuron_does(tmp_path, capsys):
    """`bridge run` on a model that loops over runs, against NEURON 9.0.2 running the same file: the same printed
    lines, the last run's recorded Vector to 1e-9 mV, and the plot of the recorded traces."""
    import numpy as np
    import pytest

    pytest.importorskip("neuron")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "init.hoc").write_text(RUN_MODEL)
    code = ("from neuron import h\nh.load_file('init.hoc')\n"
            "print('VS ' + ' '.join(repr(x) for x in h.vs))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path / "model", capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = [ln for ln in proc.stdout.splitlines() if ln.startswith("amp")]
    vs_line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("VS "))
    their_vs = np.array([float(x) for x in vs_line.split()[1:]])
    assert main(["run", str(tmp_path / "model"), "--out", str(tmp_path / "out")]) == 0
    ours = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("amp")]
    assert len(theirs) == 2 and ours == theirs
    saved = np.load(tmp_path / "out" / "vectors.npz")
    assert saved["vs"].shape == their_vs.shape
    assert np.max(np.abs(saved["vs"] - their_vs)) <= 1e-9  # [mV]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert (tmp_path / "out" / "traces.png").stat().st_size > 0


WRITE_MODEL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh }
objref stim, vs, f
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 3
stim.amp = 0.3
tstop = 5
vs = new Vector()
vs.record(&soma.v(0.5))
run()
f = new File()
f.wopen("out/vmax.txt")
f.printf("vmax %.4f n %d\\n", vs.max(), vs.size())
f.close()
f.wopen("v.dat")
vs.printf(f)
f.close()
"""


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_run_out_gets_the_models_files_as_neuron_writes_them(tmp_path, capsys):
    import pytest

    pytest.importorskip("neuron")
    model = tmp_path / "model"
    model.mkdir()
    (model / "init.hoc").write_text(WRITE_MODEL)
    theirs = tmp_path / "neuron"
    (theirs / "out").mkdir(parents=True)  # NEURON's wopen makes no folders; bridge's output folder does
    (theirs / "init.hoc").write_text(WRITE_MODEL)
    proc = subprocess.run([sys.executable, "-c", "from neuron import h\nh.load_file('init.hoc')\n"],
                          cwd=theirs, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (theirs / "init.hoc").unlink()
    assert main(["run", str(model), "--out", str(tmp_path / "bridge")]) == 0
    capsys.readouterr()
    ours = _files(tmp_path / "bridge" / "model-output")
    assert sorted(ours) == ["out/vmax.txt", "v.dat"]
    assert ours == _files(theirs)  # the same bytes: v printed with %g after a run
    assert ours["out/vmax.txt"].startswith(b"vmax ") and ours["out/vmax.txt"].endswith(b" n 201\n")
    assert sorted(p.name for p in model.iterdir()) == ["init.hoc"]  # nothing written next to the model


def test_run_without_out_refuses_the_models_writes_naming_out(tmp_path, capsys):
    model = tmp_path / "model"
    model.mkdir()
    (model / "init.hoc").write_text(WRITE_MODEL)
    assert main(["run", str(model)]) == 1
    err = capsys.readouterr().err
    assert "writing 'out/vmax.txt' is refused" in err and "--out DIR" in err
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["init.hoc"]
