"""A rate that is 0/0 at exactly v_init (Mainen's `trap0(v, th, a, q)` with v == th, in many
published na.mod files) makes an ASSIGNED time constant and a file-scope LOCAL NaN at
finitialize in NEURON too; NEURON recomputes both from the new v in the first step before
reading them, so its traces stay finite. bridge must run such a model, not refuse it."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from bridge.hoc.session import load_hoc
from bridge.model import Simulation
from bridge.testing import assert_matches_neuron

# written for this test: the h gate of a Mainen-style channel whose recovery rate is 0/0 at v = thh
ZRATE = """
NEURON {
    SUFFIX zrate
    USEION na READ ena WRITE ina
    RANGE gbar, htau, hinf
    GLOBAL thh, qh
}
PARAMETER { gbar = 0.02 (S/cm2)  thh = -65 (mV)  qh = 5 (mV) }
ASSIGNED { v (mV) dt (ms) ena (mV) ina (mA/cm2) htau (ms) hinf }
STATE { h }
LOCAL hexp
INITIAL { rates(v) h = hinf }
BREAKPOINT {
    SOLVE states
    ina = gbar*h*(v - ena)
}
PROCEDURE states() {
    rates(v)
    h = h + hexp*(hinf - h)
}
PROCEDURE rates(vm) {
    htau = 1/(trap0(vm, thh, 0.03, qh) + 0.05)
    hinf = 1/(1 + exp((vm + 60)/6))
    hexp = 1 - exp(-dt/htau)
}
FUNCTION trap0(v, th, a, q) {
    if (fabs(v/th) > 1e-6) {
        trap0 = a*(v - th)/(1 - exp(-(v - th)/q))
    } else {
        trap0 = a*q
    }
}
"""

CELL = """
create soma
soma { L = 20 diam = 20 nseg = 1 insert pas g_pas = 5e-4 e_pas = -70 insert zrate }
objref stim
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 3
stim.amp = 0.05
v_init = -65
tstop = 10
"""


def _model(tmp_path):
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "zrate.mod").write_text(ZRATE)
    path = tmp_path / "cell.hoc"
    path.write_text(textwrap.dedent(CELL))
    return path


def test_rate_nan_only_at_finitialize_is_not_a_failure(tmp_path):
    hoc = load_hoc(_model(tmp_path), mechanisms=tmp_path / "mod")
    sim = Simulation(hoc.to_model(), record=["soma(0.5).v", "soma(0.5).htau_zrate", "soma(0.5).h_zrate"])
    traces = sim.run()  # no SimulationError
    htau = np.asarray(traces["soma(0.5).htau_zrate"])
    assert np.isnan(htau[0]) and np.isfinite(htau[1:]).all()  # the case did arise, and went away
    assert np.isfinite(np.asarray(traces["soma(0.5).h_zrate"])).all()


@pytest.mark.neuron
def test_rate_nan_at_v_init_matches_neuron(tmp_path):
    result = assert_matches_neuron(_model(tmp_path), {"default_steps": False}, mechanisms=tmp_path / "mod",
                                   atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
