"""A model whose own HOC turns on CVODE and runs while it loads (ModelDB 33975's `cvode_active(1) run()
cvode_local(1) run()`): `bridge validate` compares fixed-step runs on both sides (validation.neuron_cvode), against
NEURON 9.0.2, and the report says the model asked for CVODE."""

from __future__ import annotations

import argparse

import pytest

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh }
dend { L = 200  diam = 1  nseg = 5  insert pas  e_pas = -65 }
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 5
stim.amp = 0.3
tstop = 8
"""

# dt and steps_per_ms disagree (as 33975's .ses sets them): the fixed step's setdt makes dt 0.025 ms
STDRUN = CELL + """
dt = 0.027535
steps_per_ms = 40
cvode_active(1)
cvode.atol(0.01)
run()
stim.amp = 0.5
cvode_local(1)
run()
"""

# CVode.active(1) directly (stdrun's using_cvode_ stays 0, so stdinit applied setdt itself), dt set after it
DIRECT = CELL + """
objref cv
cv = new CVode()
cv.active(1)
dt = 0.0125
steps_per_ms = 80
run()
stim.amp = 0.4
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
@pytest.mark.parametrize("text, dt, turned_off", [(STDRUN, 0.025, 2), (DIRECT, 0.0125, 1)],
                         ids=["cvode_active", "CVode.active"])
def test_own_runs_under_cvode_compared_fixed_step(tmp_path, text, dt, turned_off):
    """`turned_off`: the finitialize() calls that found CVODE on (cvode_local(1) turns it on again; CVode.active(1)
    once, and NEURON's side turns it off at the first run)."""
    from validation.report import markdown
    from validation.suite import run_case

    result = run_case(_case(tmp_path, text))
    c = result.comparison
    assert result.passed, c.reasons if c else result.error
    assert [r.index for r in c.runs] == [1, 2]
    for r in c.runs:
        assert r.max_dv <= 1e-9 and r.spikes[0] == r.spikes[1] > 0, r
        print(f"run {r.index}: max |dV| {r.max_dv:.3g} mV, spikes {r.spikes}")
    print(f"protocol run: max |dV| {c.max_dv:.3g} mV")
    assert c.max_dv <= 1e-9
    tn = result.neuron.runs[0][0]
    assert len(tn) == round(8 / dt) + 1 and abs(tn[1] - dt) < 1e-12  # fixed steps of the model's dt after setdt
    text = markdown([result])
    assert f"turned on CVODE (variable step) before {turned_off} of the finitialize() calls" in text
    assert f"dt = {dt:g} ms): the comparison is fixed-step" in text
    assert "note (bridge): the model asks for CVODE" in text


# CVODE turned on after finitialize(): NEURON's side cannot turn it off there (validation.neuron_cvode)
AFTER = CELL + """
proc go() { finitialize(-65)  cvode.active(1)  continuerun(tstop) }
go()
stim.amp = 0.5
go()
"""


@pytest.mark.neuron
def test_cvode_turned_on_after_finitialize_is_said_and_fails(tmp_path):
    """NEURON's runs are variable-step (fewer samples), bridge's fixed-step: a FAIL, and the report says why
    (before: only a note that NEURON had made the runs fixed-step, which it had not)."""
    from validation.report import markdown
    from validation.suite import run_case

    result = run_case(_case(tmp_path, AFTER))
    assert not result.passed
    assert len(result.neuron.runs[0][0]) < round(8 / 0.025) + 1  # NEURON's run 1 was CVODE's
    text = markdown([result])
    assert "turned on CVODE (variable step) after finitialize() in 2 of its runs" in text, text


@pytest.mark.neuron
def test_a_model_without_cvode_gets_no_cvode_note(tmp_path):
    from validation.suite import run_case

    result = run_case(_case(tmp_path, CELL + "run()\nstim.amp = 0.5\nrun()\n"))
    assert result.passed, result.comparison.reasons if result.comparison else result.error
    assert not any("CVODE" in note for note in result.neuron.notes + result.bridge.notes)
