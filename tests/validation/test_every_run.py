"""`bridge validate` compares every run the model's HOC makes (validation.every_run), against NEURON."""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import pytest

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh }
dend { L = 200  diam = 1  nseg = 5  insert pas  e_pas = -65 }
objref stim
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 20
tstop = 30
"""

FI_LOOP = CELL + """
for k = 1, 3 {
    stim.amp = 0.1 * k
    run()
}
"""

CHANGED = CELL + """
stim.amp = 0.2
run()
celsius = 16.3
soma.gnabar_hh = 0.2
run()
"""

ONCE = CELL + """
stim.amp = 0.2
run()
"""


def _case(tmp_path, text):
    from validation.command import add_arguments, cases_from_args

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "init.hoc").write_text(text)
    p = argparse.ArgumentParser()
    add_arguments(p)
    (case,) = cases_from_args(tmp_path / "model", p.parse_args([str(tmp_path / "model")]))
    return case


@pytest.mark.neuron
def test_f_i_loop_each_of_three_runs_compared(tmp_path):
    from validation.suite import run_case

    result = run_case(_case(tmp_path, FI_LOOP))
    c = result.comparison
    assert result.passed, c.reasons if c else result.error
    assert [r.index for r in c.runs] == [1, 2, 3]
    counts = [r.spikes for r in c.runs]
    assert all(b == n for b, n in counts) and counts[0][1] < counts[2][1]  # more current, more spikes
    for r in c.runs:
        assert r.max_dv <= 1e-9, r
        print(f"run {r.index}: max |dV| {r.max_dv:.3g} mV, spikes {r.spikes}")
    assert len(result.neuron.runs) == 3 and result.neuron.run_labels[0] == "soma(0.5).v"
    from validation.report import _num, markdown

    text = markdown([result])
    assert "The model's HOC ran 3 times" in text and f"| 3 | {_num(c.runs[2].max_dv)} |" in text


@pytest.mark.neuron
def test_second_run_with_changed_parameters_compared(tmp_path):
    from validation.suite import run_case

    result = run_case(_case(tmp_path, CHANGED))
    c = result.comparison
    assert result.passed, c.reasons if c else result.error
    (t1, y1), (t2, y2) = result.neuron.runs
    assert np.array_equal(t1, t2) and np.max(np.abs(y1 - y2)) > 1.0  # the two runs differ in NEURON
    assert [r.index for r in c.runs] == [1, 2] and max(r.max_dv for r in c.runs) <= 1e-9
    print(", ".join(f"run {r.index}: max |dV| {r.max_dv:.3g} mV, spikes {r.spikes}" for r in c.runs))


@pytest.mark.neuron
def test_a_wrong_second_run_fails_at_run_2(tmp_path, monkeypatch):
    from bridge.hoc.live import LiveRun
    from validation.suite import run_case

    original = LiveRun.request_init

    def wrong_second_run(self, frozen, schedules=(), carry=None):  # bridge starts run 2 (only) 1 mV off v_init
        if self.keep_runs and not self.runs and self.started():  # run 1 is kept by this call
            frozen = dataclasses.replace(frozen, v_init=frozen.v_init + 1.0, _sim=None)
        original(self, frozen, schedules, carry)

    monkeypatch.setattr(LiveRun, "request_init", wrong_second_run)
    result = run_case(_case(tmp_path, FI_LOOP))
    c = result.comparison
    assert result.status == "fail"
    assert [bool(r.reasons) for r in c.runs] == [False, True, False]
    assert any(reason.startswith("run 2: max |dV|") for reason in c.reasons)
    assert c.max_dv == c.runs[1].max_dv > 1e-3


@pytest.mark.neuron
def test_a_model_that_runs_once_is_compared_as_before(tmp_path):
    from validation.suite import run_case

    result = run_case(_case(tmp_path, ONCE))
    assert result.passed and result.comparison.runs == [] and result.bridge.runs == []
    assert len(result.neuron.runs) == 1
