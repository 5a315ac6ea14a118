"""stdrun.hoc's first load sets tstop, v_init, steps_per_ms (and stdrun's other variables) as NEURON 9.0.2's does
(bridge.hoc.stdrun_load): a model that set them before its first `load_file("nrngui.hoc")` runs 5 ms at dt 0.025
in NEURON, and in bridge. A session that loaded stdrun.hoc first (validation's NEURON side) keeps the model's."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import HocSession

MODEL = Path(__file__).resolve().parent / "data" / "stdrun_load" / "model.hoc"


def _lines(text: str) -> list[list[str]]:
    return [ln.split() for ln in text.splitlines() if ln.startswith(("after ", "run ", "again "))]


def _neuron(first: str, tmp_path) -> list[list[str]]:
    code = f"from neuron import h\n{first}h.load_file({str(MODEL)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    lines = _lines(proc.stdout)
    assert len(lines) == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    return lines


def _bridge(first: str, tmp_path) -> list[list[str]]:
    out = io.StringIO()
    hoc = HocSession(cwd=tmp_path, stdout=out)
    if first:
        hoc(first)
    hoc.load_file(MODEL)
    return _lines(out.getvalue())


def _same(theirs: list[list[str]], ours: list[list[str]]) -> None:
    assert [r[:2] for r in ours[::2]] == [r[:2] for r in theirs[::2]]
    assert ours[0] == theirs[0] and ours[2] == theirs[2]  # the settings, printed with %g
    t, dt, v = (float(x) for x in theirs[1][1:])
    t2, dt2, v2 = (float(x) for x in ours[1][1:])
    assert (t2, dt2) == (t, dt)  # the run's length and step
    assert abs(v2 - v) <= 1e-9  # mV


@pytest.mark.neuron
def test_first_load_of_stdrun_sets_its_variables_as_neuron(tmp_path):
    theirs = _neuron("", tmp_path)
    assert theirs[0] == ["after", "tstop", "5", "v_init", "-65", "steps_per_ms", "40", "dt", "0.1"]
    _same(theirs, _bridge("", tmp_path))


@pytest.mark.neuron
def test_a_session_with_stdrun_loaded_keeps_the_models_values(tmp_path):
    theirs = _neuron("h.load_file('stdrun.hoc')\n", tmp_path)
    assert theirs[0][2] == "100"
    _same(theirs, _bridge('{load_file("stdrun.hoc")}', tmp_path))
