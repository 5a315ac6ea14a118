"""A point process destroyed after finitialize() (`objref stim` again) while the run goes on: NEURON 9.0.2 takes it
out of the run (src/nrnoc/point.cpp destroy_point_process) and its voltages from then on are those of the run with
the point process switched off (measured here: bit for bit, an IClamp's amp = 0). bridge does not change a run's
structure: it refuses, naming the point process and that switch, and the switched-off run matches NEURON's."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from bridge import HocSession
from bridge.errors import BridgeError

MODEL = Path(__file__).resolve().parent / "data" / "destroyed_pp" / "model.hoc"


def _neuron(off: int, tmp_path) -> float:
    code = f"from neuron import h\nh('OFF = {off}')\nh.load_file({str(MODEL)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    line = [ln.split() for ln in proc.stdout.splitlines() if ln.startswith("v ")]
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert float(line[0][3]) == pytest.approx(6.0)
    return float(line[0][1])


def _bridge(off: int, tmp_path) -> float:
    out = io.StringIO()
    hoc = HocSession(cwd=tmp_path, stdout=out)
    hoc(f"OFF = {off}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hoc.load_file(MODEL)
    line = [ln.split() for ln in out.getvalue().splitlines() if ln.startswith("v ")]
    return float(line[0][1])


def test_destroying_a_point_process_mid_run_is_refused_naming_it(tmp_path):
    with pytest.raises(BridgeError) as err:
        _bridge(0, tmp_path)
    text = str(err.value)
    assert "IClamp[0] destroyed after finitialize()" in text and "amp = 0" in text


@pytest.mark.neuron
def test_neuron_runs_on_as_with_it_switched_off_and_so_does_bridge(tmp_path):
    destroyed, off = _neuron(0, tmp_path), _neuron(1, tmp_path)
    assert destroyed == off  # NEURON: the destroyed IClamp's run is the one with amp = 0, bit for bit
    assert abs(_bridge(1, tmp_path) - destroyed) <= 1e-9  # mV


REPLACED = MODEL.parent / "replaced.hoc"


@pytest.mark.neuron
def test_a_replacement_of_its_kind_is_refused_too(tmp_path):
    # the run's shape is the same (one ExpSyn), but NEURON's new ExpSyn starts at g = 0 where bridge carried the
    # destroyed one's g (v -40.83 mV at 6 ms vs NEURON's -68.45 before this refusal)
    code = f"from neuron import h\nh.load_file({str(REPLACED)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    line = [ln.split() for ln in proc.stdout.splitlines() if ln.startswith("v ")]
    assert line and float(line[0][3]) == 0.0, proc.stdout[-2000:] + proc.stderr[-2000:]  # the new g
    with pytest.raises(BridgeError, match=r"ExpSyn\[0\] destroyed after finitialize\(\)"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(REPLACED)
