"""A density mechanism's RANGE ASSIGNED arrays (`inf[2]`, `tau[2]`) filled in INITIAL by a PROCEDURE whose FUNCTION
branches on v per instance (`if (Arg < -50)` inside `if (i == 0)`), as ModelDB 267140's calH.mod does. INITIAL starts
the arrays from their defaults, one row per instance, so the IF over instances selects rows (it crashed with a
shape error before). Several instances on a cable; v and the mechanism's state compared with NEURON 9 running the
same files (.mod written for this test)."""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

CAH = """
NEURON {
    SUFFIX cah2
    USEION ca READ eca WRITE ica
    RANGE gbar, m, h, inf, tau
}
UNITS { (mA) = (milliamp)  (mV) = (millivolt) }
PARAMETER { gbar = 0.002 (mho/cm2) }
STATE { m h }
ASSIGNED { v (mV)  eca (mV)  ica (mA/cm2)  inf[2]  tau[2] }
INITIAL {
    m = 0
    h = 1
    rates(v)
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar*m*m*m*h*(v - eca)
}
DERIVATIVE states {
    rates(v)
    m' = (inf[0] - m)/tau[0]
    h' = (inf[1] - h)/tau[1]
}
PROCEDURE rates(v (mV)) {
    FROM i = 0 TO 1 {
        tau[i] = taufn(v, i)
        inf[i] = steady(v, i)
    }
}
FUNCTION steady(v, i) {
    LOCAL a
    if (i == 0) {
        a = -(v + 30)/2
        if (a < -50) { steady = 1 } else if (a > 50) { steady = 0 } else { steady = 1/(1 + exp(a)) }
    } else if (i == 1) {
        a = (v + 50)/3
        if (a < -50) { steady = 1 } else if (a > 50) { steady = 0 } else { steady = 1/(1 + exp(a)) }
    }
}
FUNCTION taufn(v, i) {
    if (i == 0) { taufn = 1.5 + v*0.001 } else { taufn = 20 }
}
"""

RUN = """
dend { insert cah2  gbar_cah2 = 0.003 }
soma { insert cah2 }
stim.del = 1
stim.dur = 3
stim.amp = 0.4
tstop = 15
run()
printf("end %.17g %.17g %.17g %.17g\\n", dend.m_cah2(0.3), dend.h_cah2(0.9), soma.m_cah2(0.5), dend.v(0.1))
"""


@pytest.mark.neuron
def test_range_arrays_filled_under_per_instance_ifs_match_neuron(tmp_path):
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "cah2.mod").write_text(CAH)
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + RUN, mod_dir=mods)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
