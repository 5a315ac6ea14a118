"""NEURON runs a mechanism that writes an ion concentration before the others (init.cpp
nrn_writes_conc, called when nocmodl's code registers it): it is moved to just after the ions,
ahead of the concentration writers registered before it, so a mechanism that reads `cai` sees
this step's value whatever the .mod file names (ModelDB 98005: bk_ch.mod reads the cai that
ca_ch.mod writes; spike times 1 ms apart). Files written for this test, named so that nrnivmodl
registers the reader first and the two writers in the opposite order of NEURON's execution."""

from __future__ import annotations

import textwrap

import pytest

from bridge.nmodl.load import load_text
from bridge.solver.plan import type_order
from bridge.testing import assert_matches_neuron

MODS = {
    # reads cai and cao: a K conductance gated by both
    "areader.mod": """
        NEURON { SUFFIX areader USEION ca READ cai, cao USEION k READ ek WRITE ik RANGE gbar }
        PARAMETER { gbar = 0.01 (S/cm2) kd = 0.0002 (mM) tau = 2 (ms) }
        ASSIGNED { v (mV) ek (mV) ik (mA/cm2) cai (mM) cao (mM) }
        STATE { z }
        INITIAL { z = zinf(cai, cao) }
        BREAKPOINT {
            SOLVE st METHOD cnexp
            ik = gbar*z*(v - ek)
        }
        DERIVATIVE st { z' = (zinf(cai, cao) - z)/tau }
        FUNCTION zinf(ci (mM), co (mM)) { zinf = ci/(ci + kd)*co/(co + 2) }
    """,
    # writes cai from ica (a shell under the membrane)
    "bpooli.mod": """
        NEURON { SUFFIX bpooli USEION ca READ ica WRITE cai RANGE tau }
        UNITS { (mM) = (milli/liter) (mA) = (milliamp) (um) = (micron) FARADAY = (faraday) (coulombs) }
        PARAMETER { tau = 20 (ms) depth = 0.1 (um) cainf = 5e-5 (mM) }
        ASSIGNED { ica (mA/cm2) }
        STATE { cai (mM) }
        INITIAL { cai = cainf }
        BREAKPOINT { SOLVE st METHOD cnexp }
        DERIVATIVE st { cai' = -(10000)*ica/(2*FARADAY*depth) - (cai - cainf)/tau }
    """,
    # writes cao, reading the cai bpooli writes
    "cpoolo.mod": """
        NEURON { SUFFIX cpoolo USEION ca READ cai WRITE cao }
        PARAMETER { tau = 5 (ms) cao0 = 2 (mM) k = 2000 }
        ASSIGNED { cai (mM) }
        STATE { cao (mM) }
        INITIAL { cao = cao0 }
        BREAKPOINT { SOLVE st METHOD cnexp }
        DERIVATIVE st { cao' = (cao0 + k*(cai - 5e-5) - cao)/tau }
    """,
    "dcachan.mod": """
        NEURON { SUFFIX dcachan USEION ca READ eca WRITE ica RANGE gbar }
        PARAMETER { gbar = 0.002 (S/cm2) }
        ASSIGNED { v (mV) eca (mV) ica (mA/cm2) }
        STATE { m }
        INITIAL { m = minf(v) }
        BREAKPOINT {
            SOLVE st METHOD cnexp
            ica = gbar*m*m*(v - eca)
        }
        DERIVATIVE st { m' = (minf(v) - m)/1 (ms) }
        FUNCTION minf(v (mV)) { minf = 1/(1 + exp(-(v + 30)/6)) }
    """,
}

CELL = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 insert hh insert areader insert bpooli insert cpoolo insert dcachan }
dend { L = 150 diam = 2 nseg = 3 insert pas insert areader insert dcachan insert bpooli }
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 25
stim.amp = 0.5
dt = 0.25
tstop = 30
"""


def test_concentration_writers_run_first_latest_registered_first():
    mechs = {name[:-4]: load_text(textwrap.dedent(text), name) for name, text in MODS.items()}
    assert type_order(["hh", "areader", "bpooli", "cpoolo", "dcachan", "pas", "IClamp"], mechs, None) == [
        "pas", "cpoolo", "bpooli", "hh", "IClamp", "areader", "dcachan"]


@pytest.mark.neuron
def test_concentration_writer_order_matches_neuron(tmp_path):
    mod = tmp_path / "mod"
    mod.mkdir()
    for name, text in MODS.items():
        (mod / name).write_text(textwrap.dedent(text))
    (tmp_path / "cell.hoc").write_text(textwrap.dedent(CELL))
    result = assert_matches_neuron(tmp_path / "cell.hoc", {"default_steps": False}, mechanisms=mod, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    print(f"max |dV| {result.comparison.max_dv:.3g} mV")
