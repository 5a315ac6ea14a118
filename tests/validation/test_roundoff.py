"""The round-off-aware tolerance: bridge's max |dV| judged against NEURON's own sensitivity to one ulp.

The rule itself on made-up runs (pure numpy), then NEURON's second run on a long spiking model.
"""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from validation.case import ROUNDOFF_FACTOR, Tolerance
from validation.compare import MAX_ROUNDOFF_DV, compare_runs
from validation.outcome import RunOutput


def _runs(bridge_offset: float, own: float | None):
    t = np.arange(5) * 0.025
    v = np.array([-65.0, -64.0, 10.0, -70.0, -65.0])
    settings = {"tstop": 0.1, "dt": 0.025, "v_init": -65.0, "celsius": 6.3, "secondorder": 0}
    neuron = RunOutput("NEURON", t, ["soma(0.5).v"], v[:, None], named=["soma(0.5).v"], settings=settings,
                       roundoff=None if own is None else {"soma(0.5).v": own})
    bridge = RunOutput("bridge", t, ["soma(0.5).v"], (v + bridge_offset)[:, None], settings=settings)
    return bridge, neuron


@pytest.mark.parametrize(("offset", "own", "roundoff", "passes"), [
    (3e-9, 1e-9, ROUNDOFF_FACTOR, True),  # within 10 x NEURON's own round-off
    (3e-9, 1e-9, None, False),  # a fixed bound (--atol): 1e-9
    (3e-9, 1e-11, ROUNDOFF_FACTOR, False),  # NEURON itself is stable here: 1e-9 still applies
    (5e-10, 0.0, ROUNDOFF_FACTOR, True),  # the fixed bound is the floor
    (2e-6, 1.0, ROUNDOFF_FACTOR, False),  # the round-off bar is capped
])
def test_roundoff_rule(offset, own, roundoff, passes):
    bridge, neuron = _runs(offset, own)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=roundoff), -20.0)
    assert c.passed == passes, c.reasons
    if roundoff is not None:
        assert c.roundoff_dv == own
        assert c.dv_bound == max(1e-9, min(roundoff * own, MAX_ROUNDOFF_DV))
    if not passes:
        assert "max |dV|" in c.reasons[0]


def test_validate_uses_roundoff_unless_atol_is_given():
    from validation.command import _tolerance, add_arguments

    p = argparse.ArgumentParser()
    add_arguments(p)
    assert _tolerance(p.parse_args(["m"])) is None  # cases_from_args then uses Tolerance(roundoff=10)
    assert _tolerance(p.parse_args(["m", "--spike-tol", "1e-5"])).roundoff == ROUNDOFF_FACTOR
    fixed = _tolerance(p.parse_args(["m", "--atol", "1e-8"]))
    assert fixed.roundoff is None and fixed.max_dv == 1e-8


LONG = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma {
    L = 20
    diam = 20
    insert hh
}
dend {
    L = 300
    diam = 1
    nseg = 11
    insert hh
    gnabar_hh = 0.06
}
objref stim
soma stim = new IClamp(0.5)
stim.del = 5
stim.dur = 1e9
stim.amp = 0.25
tstop = 600
"""


@pytest.mark.neuron
def test_long_spiking_run_reports_neurons_own_roundoff(tmp_path):
    from validation.command import cases_from_args
    from validation.report import table, write_report
    from validation.suite import run_case

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "init.hoc").write_text(LONG)
    p = argparse.ArgumentParser()
    from validation.command import add_arguments

    add_arguments(p)
    (case,) = cases_from_args(tmp_path / "model", p.parse_args([str(tmp_path / "model")]))
    assert case.tolerance.roundoff == ROUNDOFF_FACTOR
    result = run_case(case)
    c = result.comparison
    assert result.passed, c.reasons
    assert c.spike_counts[1] > 50
    # NEURON against itself after one ulp: not zero on a long spiking run, far below a real error
    assert 0.0 < c.roundoff_dv < 1e-8
    assert c.dv_bound == max(1e-9, ROUNDOFF_FACTOR * c.roundoff_dv)
    assert "NEURON round-off [mV]" in table([result])
    write_report([result], tmp_path / "out", with_plots=False)
    assert "NEURON against itself" in (tmp_path / "out" / "report.md").read_text()
    print(f"max |dV| {c.max_dv:.3g} mV, NEURON round-off {c.roundoff_dv:.3g} mV")


RESTING = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref stim
soma stim = new IClamp(0.5)
stim.del = 150
stim.dur = 100
stim.amp = 0.2
tstop = 300
"""


@pytest.mark.neuron
def test_roundoff_of_a_model_that_rests_to_the_last_bit_before_its_stimulus(tmp_path):
    """hh rests exactly (v a fixed point to the last bit) long before the stimulus at 150 ms: a single nudge
    at the start dies out within 3 ms (NEURON's own difference: one ulp, 1.4e-14 mV), so the round-off run
    nudges v again every ms, and the spikes then show NEURON's sensitivity (about 4e-11 mV)."""
    from validation.case import Case, Tolerance
    from validation.suite import run_case

    (tmp_path / "rest.hoc").write_text(RESTING)
    case = Case("rest", hoc=tmp_path / "rest.hoc", tolerance=Tolerance(roundoff=ROUNDOFF_FACTOR))
    c = run_case(case).comparison
    assert 1e-12 < c.roundoff_dv < 1e-8
