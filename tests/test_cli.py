"""bridge.cli: `bridge parse` and `bridge demo` (run in-process and as `python -m bridge`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.cli import EXAMPLE_MOD_DIR, main

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
    proc = subprocess.run([sys.executable, "-m", "bridge", "parse", str(root / "a.mod")], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "parsed 1/1 files"
    proc = subprocess.run([sys.executable, "-m", "bridge", "parse", str(root)], capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stdout.strip().endswith("parsed 1/2 files")


@pytest.mark.neuron
def test_demo_runs_the_example_in_bridge_and_neuron(capsys, tmp_path):
    """The README's main job: summary of the example's mechanisms, then the example cell
    in bridge and in NEURON, every case within 1e-9 mV, with the report and plots written."""
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for path in sorted(EXAMPLE_MOD_DIR.glob("*.mod")):
        assert f"  {path.name}: {path.stem} (SUFFIX)" in out
    assert "cad.mod: cad (SUFFIX): ions ca[READ ica WRITE cai]; states cai; blocks INITIAL, BREAKPOINT, DERIVATIVE pool" in out
    assert "na.mod: na (SUFFIX): ions na[READ ena WRITE ina]; states m h;" in out
    assert "1/1 cases passed" in out
    row = next(line for line in out.splitlines() if line.startswith("cell "))
    assert "PASS" in row and float(row.split()[2]) <= 1e-9
    report = (tmp_path / "report.md").read_text()
    assert "soma(0.5).v" in report and "apic[3](0.9).v" in report
    for name in ("cell-traces.png", "cell-diff.png", "cell-morph.png"):
        assert (tmp_path / name).stat().st_size > 10_000
