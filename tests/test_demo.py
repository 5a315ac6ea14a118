"""examples/demo.py, the README's main job (`make demo`), run in-process and as a script."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.py"


def _demo_module():
    spec = importlib.util.spec_from_file_location("demo", DEMO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.neuron
def test_demo_runs_the_example_in_bridge_and_neuron(capsys, tmp_path):
    """The README's main job: summary of the example's mechanisms, then the example cell
    in bridge and in NEURON, every case within 1e-9 mV, with the report and plots written."""
    demo = _demo_module()
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for path in sorted(demo.EXAMPLE_MOD_DIR.glob("*.mod")):
        assert f"  {path.name}: {path.stem} (SUFFIX)" in out
    assert ("cad.mod: cad (SUFFIX): ions ca[READ ica WRITE cai]; states cai; "
            "blocks INITIAL, BREAKPOINT, DERIVATIVE pool") in out
    assert "na.mod: na (SUFFIX): ions na[READ ena WRITE ina]; states m h;" in out
    assert "1/1 cases passed" in out
    row = next(line for line in out.splitlines() if line.startswith("cell "))
    assert "PASS" in row and float(row.split()[2]) <= 1e-9
    report = (tmp_path / "report.md").read_text()
    assert "soma(0.5).v" in report and "apic[3](0.9).v" in report
    for name in ("cell-traces.png", "cell-diff.png", "cell-morph.png"):
        assert (tmp_path / name).stat().st_size > 10_000


def test_demo_script_reports_a_missing_model_folder(tmp_path):
    """`python examples/demo.py --model DIR` on a folder without .mod files: one line, status 1."""
    proc = subprocess.run([sys.executable, str(DEMO), "--model", str(tmp_path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stderr.strip() == f"error: no .mod files in {tmp_path / 'mod'}"
