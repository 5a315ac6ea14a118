"""bridge.nmodl.runtime.mechanism: TABLE building reads RANGE PARAMETERs at the first instance, as NEURON
(ModelDB 125152's KM.mod: `utau = timesTau/(sum*q10)` in a TABLE, timesTau_KM = 2 in every section)."""

from __future__ import annotations

import textwrap

import pytest

KMT = """
NEURON { SUFFIX kmt  USEION k READ ek WRITE ik  RANGE gbar, scale  GLOBAL uinf, utau }
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gbar = 0.002 (S/cm2) scale = 1 }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) uinf utau (ms) }
STATE { u }
INITIAL { rates(v) u = uinf }
BREAKPOINT { SOLVE states METHOD cnexp  ik = gbar*u*u*(v - ek) }
DERIVATIVE states { rates(v) u' = (uinf - u)/utau }
PROCEDURE rates(v (mV)) {
    LOCAL a, b
    TABLE uinf, utau FROM -150 TO 150 WITH 300
    a = 0.016/exp((v + 52.7)/-23)
    b = 0.016/exp((v + 52.7)/18.8)
    uinf = a/(a + b)
    utau = scale/(a + b)
}
"""

# Sections created out of tree order and a different `scale` in each: NEURON's first instance is
# the soma's (the root section's nodes come first), whose scale (2, not the default 1) fills the table.
CELL = """
create dend, soma, axon
connect dend(0), soma(1)
connect axon(0), soma(0)
dend { L = 200 diam = 2 nseg = 5 insert hh insert kmt scale_kmt = 4 }
soma { L = 20 diam = 20 insert hh insert kmt scale_kmt = 2 }
axon { L = 100 diam = 1 nseg = 3 insert hh insert kmt scale_kmt = 0.5 }
tstop = 20
objref stim
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 10
stim.amp = 0.3
"""


@pytest.mark.neuron
def test_table_uses_the_first_instances_range_parameters(tmp_path):
    from bridge.testing import assert_matches_neuron

    (tmp_path / "kmt.mod").write_text(KMT)
    (tmp_path / "init.hoc").write_text(textwrap.dedent(CELL))
    assert_matches_neuron(tmp_path / "init.hoc", atol=1e-9)
