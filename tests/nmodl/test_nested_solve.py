"""A SOLVE inside an IF of BREAKPOINT (ModelDB 125857's cadecay.mod: `if (cai < 0) { cai = 0 } else { SOLVE
state METHOD cnexp }`): nocmodl lifts it out and solves first, unconditionally (bridge.nmodl.analysis.hoist).
Against NEURON 9.0.2: a calcium pool of that form driven by an outward calcium current (the clamp
acts at every step), and a mechanism with a current whose SOLVE sits in an IF that is false in the dendrite (NEURON
integrates it there all the same)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from bridge.testing import assert_matches_neuron

POOL = """
NEURON {
    SUFFIX capool
    USEION ca READ ica WRITE cai
    RANGE phi, beta
}
PARAMETER { phi = 30 beta = 0.5 }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
INITIAL { cai = 1e-4 }
BREAKPOINT {
    if (cai < 0) { cai = 0
    } else { SOLVE state METHOD cnexp }
}
DERIVATIVE state { cai' = -phi*ica - beta*cai }
"""

CHAN = """
NEURON {
    SUFFIX cachan
    USEION ca READ cai WRITE ica
    USEION k READ ek WRITE ik
    RANGE gca, ecal, gkca
}
PARAMETER { gca = 0.003 (S/cm2) ecal = -90 (mV) gkca = 0.002 (S/cm2) }
ASSIGNED { v (mV) ica (mA/cm2) ik (mA/cm2) cai (mM) ek (mV) }
BREAKPOINT {
    ica = gca*(v - ecal)
    ik = gkca*cai/(fabs(cai) + 0.0005)*(v - ek)
}
"""

GATED = """
NEURON {
    SUFFIX gated
    NONSPECIFIC_CURRENT i
    RANGE g, on
}
PARAMETER { g = 0.002 (S/cm2) on = 0 tau = 2 (ms) }
STATE { m }
ASSIGNED { v (mV) i (mA/cm2) }
INITIAL { m = 0.2 }
BREAKPOINT {
    if (on) {
        SOLVE states METHOD cnexp
    }
    i = g*m*(v + 60)
}
DERIVATIVE states { m' = (1/(1 + exp(-(v + 40)/5)) - m)/tau }
"""

HOC = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert hh insert cachan insert capool insert gated on_gated = 1 }
dend { L = 200 diam = 2 nseg = 5 insert pas g_pas = 1e-4 e_pas = -65 insert gated }
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 40
stim.amp = 0.3
tstop = 50
"""


@pytest.mark.neuron
def test_solve_inside_if_matches_neuron(tmp_path):
    for name, text in (("capool", POOL), ("cachan", CHAN), ("gated", GATED)):
        (tmp_path / f"{name}.mod").write_text(textwrap.dedent(text))
    (tmp_path / "model.hoc").write_text(textwrap.dedent(HOC))
    protocol = {"tstop": 50, "dt": 0.025, "v_init": -65, "default_steps": False,
                "recordings": ["soma(0.5).v", "dend(0.5).v", "soma(0.5).cai", "soma(0.5).m_gated",
                               "dend(0.3).m_gated"]}
    result = assert_matches_neuron(tmp_path / "model.hoc", protocol, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    cai = np.asarray(result.neuron.values)[:, result.neuron.labels.index("soma(0.5).cai")]
    # the outward calcium current drives every step's solution below 0, and the clamp after it gives 0 (were
    # the IF run as written, a step would solve and the next one clamp: a negative sample every other step)
    assert cai[0] == 1e-4 and (cai[1:] == 0).all()
    m = np.asarray(result.neuron.values)[:, result.neuron.labels.index("dend(0.3).m_gated")]
    assert np.ptp(m) > 0.01  # integrated where `on` is 0
