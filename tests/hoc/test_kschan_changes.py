"""Changes NEURON 9.0.2 applies to an inserted KSChan (kschan.cpp kst_set_f, ksg_power, kss_frac: no
err_if_has_instances) and to the Vector a rate function reads (KSChanFunction's gp_, read at each evaluation),
before finitialize() or between two continuerun()s: bridge applies them from the next step on
(bridge.hoc.kschan `spec_key`). Before: set_f, power and frac were refused, and a change of the Vector's contents
in the middle of a run was taken from t = 0 (0.113 mV off NEURON at 20 ms)."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from bridge import HocSession

MODEL = Path(__file__).resolve().parent / "data" / "kschan_changes" / "model.hoc"
CASES = [(0, 0)] + [(when, what) for when in (1, 2) for what in (1, 2, 3, 4)]


def _neuron(when: int, what: int, tmp_path) -> float:
    code = f"from neuron import h\nh('WHEN = {when}\\nWHAT = {what}')\nh.load_file({str(MODEL)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    line = [ln.split() for ln in proc.stdout.splitlines() if ln.startswith("v ")]
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    return float(line[0][1])


def _bridge(when: int, what: int, tmp_path) -> float:
    out = io.StringIO()
    hoc = HocSession(cwd=tmp_path, stdout=out)
    hoc(f"WHEN = {when}\nWHAT = {what}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hoc.load_file(MODEL)
    line = [ln.split() for ln in out.getvalue().splitlines() if ln.startswith("v ")]
    return float(line[0][1])


@pytest.mark.neuron
def test_kschan_changes_after_insertion_are_neurons(tmp_path):
    theirs = {case: _neuron(*case, tmp_path) for case in CASES}
    base = theirs[(0, 0)]
    assert all(abs(v - base) > 0.05 for case, v in theirs.items() if case != (0, 0))  # each change matters
    assert abs(theirs[(1, 4)] - theirs[(2, 4)]) > 0.05  # a change at 8 ms is not one from the start
    for case in CASES:
        assert abs(_bridge(*case, tmp_path) - theirs[case]) <= 1e-9, case  # mV, at 20 ms
