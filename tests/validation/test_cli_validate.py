"""`bridge validate`: finding the model, options, the table and report, exit status (NEURON for the runs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.cli import main
from bridge.errors import BridgeError
from validation.case import IClamp
from validation.command import find_hoc, find_mechanisms

DATA = Path(__file__).parent / "data"
BALL_STICK = DATA / "ball_stick" / "ball_stick.hoc"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_MOD = ROOT / "examples" / "cell" / "mod"


# -- finding the model (no NEURON) ------------------------------------------------------------------

def test_main_hoc_as_a_neuron_user_would_pick_it(tmp_path):
    for name in ("cell.hoc", "main.hoc", "init.hoc", "mosinit.hoc"):
        (tmp_path / name).write_text("")
        assert find_hoc(tmp_path).name == ("cell.hoc" if name == "cell.hoc" else name)
    assert find_hoc(tmp_path / "cell.hoc").name == "cell.hoc"  # a file is taken as given


def test_folder_with_several_hoc_files_and_no_main_one_is_an_error(tmp_path):
    (tmp_path / "a.hoc").write_text("")
    (tmp_path / "b.hoc").write_text("")
    with pytest.raises(BridgeError, match=r"several HOC files \(a.hoc, b.hoc\)"):
        find_hoc(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(BridgeError, match="no HOC file"):
        find_hoc(tmp_path / "empty")


def test_mechanisms_next_to_the_hoc_or_in_the_one_subfolder(tmp_path):
    assert find_mechanisms(tmp_path) is None
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "na.mod").write_text("")
    assert find_mechanisms(tmp_path) == tmp_path / "mod"
    (tmp_path / "x.mod").write_text("")
    assert find_mechanisms(tmp_path) == tmp_path  # files next to the HOC win, as nrnivmodl in that folder
    (tmp_path / "x.mod").unlink()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "k.mod").write_text("")
    with pytest.raises(BridgeError, match="several subfolders"):
        find_mechanisms(tmp_path)


def test_stim_option_syntax():
    assert IClamp.parse("soma(0.5),5,20,0.3") == IClamp("soma", 0.5, 5.0, 20.0, 0.3)
    assert IClamp.parse("dend[2](1) 1 2 -0.1") == IClamp("dend[2]", 1.0, 1.0, 2.0, -0.1)
    assert IClamp.parse("Cell[0].soma,0,1,1") == IClamp("Cell[0].soma", 0.5, 0.0, 1.0, 1.0)
    for bad in ("soma(0.5),5,20", "soma(0.5),a,b,c", ""):
        with pytest.raises(BridgeError, match="--stim"):
            IClamp.parse(bad)


def test_bad_input_exits_1_with_a_message_and_no_traceback(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nothing.hoc")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["validate", str(BALL_STICK), "--stim", "soma(0.5),1"]) == 1
    assert "expected SECTION(X),DEL,DUR,AMP" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(BALL_STICK), "--secondorder", "3"])
    assert exc.value.code == 2


# -- running (NEURON) ---------------------------------------------------------------------------------

@pytest.mark.neuron
def test_validate_passes_writes_the_report_and_exits_0(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["validate", str(DATA / "active_cell"), "--mechanisms", str(EXAMPLE_MOD), "--statement", "make_cell(0)",
               "--tstop", "20", "--stim", "Cell[0].dend[0](0.5),2,5,0.05", "--record", "Cell[0].soma(0.5).n_kdr",
               "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert text.splitlines()[0].startswith("case  ")  # what the HOC prints (the `1` of load_file) stays off
    row = next(line for line in text.splitlines() if line.startswith("active_cell"))
    assert "PASS" in row
    report = (out / "report.md").read_text()
    assert "`Cell[0].soma(0.5).n_kdr`" in report and "`Cell[0].soma(0.5).v`" in report
    assert "statements: `make_cell(0)`" in report
    assert {p.name for p in out.glob("*.png")} == {"active_cell-traces.png", "active_cell-diff.png",
                                                   "active_cell-morph.png"}


@pytest.mark.neuron
def test_model_folder_finds_its_hoc_and_mod_files(tmp_path, capsys):
    model = tmp_path / "model"
    model.mkdir()
    shutil.copy(DATA / "active_cell" / "init.hoc", model / "init.hoc")
    for mod in EXAMPLE_MOD.glob("*.mod"):
        shutil.copy(mod, model / mod.name)
    (model / "helper.hoc").write_text("// not the main file\n")
    rc = main(["validate", str(model), "--statement", "make_cell(2)", "--tstop", "10", "--out", str(tmp_path / "o"),
               "--no-plots"])
    assert rc == 0, capsys.readouterr().out
    report = (tmp_path / "o" / "report.md").read_text()
    assert "init.hoc" in report and "mechanisms: cad.mod, cal.mod, ih.mod, kdr.mod, na.mod" in report
    assert not list((tmp_path / "o").glob("*.png"))


@pytest.mark.neuron
def test_a_broken_port_makes_bridge_validate_exit_1(tmp_path):
    port = tmp_path / "port"
    shutil.copytree(EXAMPLE_MOD, port)
    na = (port / "na.mod").read_text()
    assert "q10 = 3" in na
    (port / "na.mod").write_text(na.replace("q10 = 3", "q10 = 3.3"))  # a rate factor, on the bridge side only
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "bridge", "validate", str(DATA / "active_cell"), "--mechanisms",
                           str(EXAMPLE_MOD), "--bridge-mechanisms", str(port), "--statement", "make_cell(0)",
                           "--tstop", "15", "--celsius", "16"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("active_cell"))
    assert "FAIL" in row and "max |dV|" in row
    assert proc.stdout.splitlines()[-1] == "0/1 cases passed"


@pytest.mark.neuron
def test_python_m_validation_validate_is_the_same_command(capsys):
    from validation.__main__ import main as vmain

    rc = vmain(["validate", str(BALL_STICK), "--tstop", "3", "--dt", "0.05"])
    assert rc == 0
    assert "1/1 cases passed" in capsys.readouterr().out


@pytest.mark.neuron
def test_a_neuron_side_past_timeout_is_stopped_and_reported(tmp_path, capsys):
    import time

    (tmp_path / "init.hoc").write_text("load_file(\"stdrun.hoc\")\ncreate soma\nsoma insert hh\n"
                                       "objref st\nsoma st = new IClamp(0.5)\nst.dur = 1e9\nst.amp = 0.2\n"
                                       "dt = 1e-4\nsteps_per_ms = 1e4\ntstop = 5000\n")  # 5e7 steps: minutes
    start = time.perf_counter()
    code = main(["validate", str(tmp_path), "--timeout", "10", "--atol", "1e-9"])
    elapsed = time.perf_counter() - start
    out = capsys.readouterr().out
    assert code == 1
    assert "ERROR" in out and "took longer than 10 s" in out
    assert elapsed < 120  # stopped, not waited for


def test_neuron_is_not_started_for_a_run_bridge_refuses(tmp_path, monkeypatch):
    """The HOC and the mechanisms are accepted, but bridge's simulation is not (4e9 steps): NEURON's side
    is never called."""
    import validation.neuron_case
    from validation.case import Case
    from validation.suite import run_case

    def no_neuron(*args, **kwargs):
        raise AssertionError("NEURON was started")

    monkeypatch.setattr(validation.neuron_case, "run_neuron_case", no_neuron)
    (tmp_path / "init.hoc").write_text("create soma\nsoma insert hh\ntstop = 1e8\n")
    result = run_case(Case("huge", hoc=tmp_path / "init.hoc"))
    assert result.status == "error"
    assert "NEURON was not started" in result.error and "steps" in result.error
