"""`exp` in mechanisms against NEURON 9: nocmodl's `#define exp hoc_Exp` (src/oc/math.cpp) bounds every `exp`
of a mechanism (0 below -700, exp(700) above 700), in bridge's library mode too; and with parity arithmetic
(glibc's exp, docs/numerics.md section 11) cells whose rates are `exp` of v run bit for bit as NEURON's."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bridge.nmodl.runtime import glibc_exp
from tests.nmodl.parity_child import run_with_parity_arithmetic

pytestmark = pytest.mark.neuron

EXPB = """
NEURON { SUFFIX expb  RANGE k1, k2, a1, a2, a3, a4, a5, a6, a7, a8 }
PARAMETER { k1 = -720  k2 = 705 }
ASSIGNED { v (mV)  a1  a2  a3  a4  a5  a6  a7  a8 }
BREAKPOINT {
    a1 = exp(k1)
    a2 = exp(k2)
    a3 = exp(-800)
    a4 = exp(800)
    a5 = exp(k1 + 20.5)
    a6 = exp(k2 - 5.5)
    a7 = tab(k1 + v + 90)
    a8 = tab(k2 - v)
}
FUNCTION tab(x) {
    TABLE FROM -760 TO 760 WITH 38
    tab = exp(x)
}
"""

BOUNDS_CELL = """
load_file("stdrun.hoc")
create soma
soma { L = 10  diam = 10  insert expb }
objref a1, a2, a3, a4, a5, a6, a7, a8
a1 = new Vector()
a1.record(&soma.a1_expb(0.5))
a2 = new Vector()
a2.record(&soma.a2_expb(0.5))
a3 = new Vector()
a3.record(&soma.a3_expb(0.5))
a4 = new Vector()
a4.record(&soma.a4_expb(0.5))
a5 = new Vector()
a5.record(&soma.a5_expb(0.5))
a6 = new Vector()
a6.record(&soma.a6_expb(0.5))
a7 = new Vector()
a7.record(&soma.a7_expb(0.5))
a8 = new Vector()
a8.record(&soma.a8_expb(0.5))
tstop = 0.1
run()
"""


def test_exp_beyond_700_is_hoc_exp_as_in_neuron(tmp_path):
    """exp of a parameter, of a literal and in a TABLE below -700 and above 700 (bridge's library mode)."""
    from tests.hoc.test_live_run import _both

    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "expb.mod").write_text(EXPB)
    names = tuple(f"a{i}" for i in range(1, 9))
    _, ref, _, ours, _ = _both(tmp_path, BOUNDS_CELL, vectors=names, mod_dir=mods)
    last = {name: ref[name][-1] for name in names}
    assert last["a1"] == last["a3"] == 0.0 and last["a2"] == last["a4"] == math.exp(700.0)
    assert 0.0 < last["a7"] < math.exp(-680.0) and 0.9 * math.exp(700.0) < last["a8"] <= math.exp(700.0)
    for name in names:
        assert ref[name].size == ours[name].size > 1, name
        # XLA's own exp (library mode) may differ from glibc's in the last bit
        np.testing.assert_allclose(ours[name], ref[name], rtol=4e-16, atol=0.0, err_msg=name)


# Our own channels whose rates are `exp` of v at every step (no TABLE), integrated by cnexp (one more exp), with
# powers as published channels write them (`m^3`, `n^4`, `x^2`: C's pow, `bridge.nmodl.runtime.libm.pow`).
NAEXP = """
NEURON { SUFFIX naexp  USEION na READ ena WRITE ina  RANGE gbar }
PARAMETER { gbar = 0.12 (S/cm2) }
STATE { m h }
ASSIGNED { v (mV)  ena (mV)  ina (mA/cm2)  minf  mtau (ms)  hinf  htau (ms) }
BREAKPOINT { SOLVE states METHOD cnexp  ina = gbar*m^3*h*(v - ena) }
INITIAL { rates(v)  m = minf  h = hinf }
DERIVATIVE states { rates(v)  m' = (minf - m)/mtau  h' = (hinf - h)/htau }
PROCEDURE rates(v (mV)) { LOCAL a, b
    a = 0.1*vtrap(-(v + 40), 10)
    b = 4*exp(-(v + 65)/18)
    mtau = 1/(a + b)  minf = a*mtau
    a = 0.07*exp(-(v + 65)/20)
    b = 1/(exp(-(v + 35)/10) + 1)
    htau = 1/(a + b)  hinf = a*htau
}
FUNCTION vtrap(x, y) { if (fabs(x/y) < 1e-6) { vtrap = y*(1 - x/y/2) } else { vtrap = x/(exp(x/y) - 1) } }
"""

KEXP = """
NEURON { SUFFIX kexp  USEION k READ ek WRITE ik  NONSPECIFIC_CURRENT ih  RANGE gbar, gh }
PARAMETER { gbar = 0.036 (S/cm2)  gh = 2e-4 (S/cm2)  eh = -30 (mV) }
STATE { n q }
ASSIGNED { v (mV)  ek (mV)  ik (mA/cm2)  ih (mA/cm2)  ninf  ntau (ms)  qinf  qtau (ms) }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n^4*(v - ek)
    ih = gh*q*(v - eh)*exp(-(v + 70)/40)/(1 + exp(-(v + 70)/40))
}
INITIAL { rates(v)  n = ninf  q = qinf }
DERIVATIVE states { rates(v)  n' = (ninf - n)/ntau  q' = (qinf - q)/qtau }
PROCEDURE rates(v (mV)) { LOCAL a, b
    a = 0.01*(v + 55)/(1 - exp(-(v + 55)/10))
    b = 0.125*exp(-(v + 65)/80)
    ntau = 1/(a + b)  ninf = a*ntau
    qinf = 1/(1 + exp((v + 80)/8))
    qtau = 100/(exp((v + 66)/12) + exp(-(v + 66)/25)) + 5*exp(-((v + 70)/20)^2)
}
"""

SPIKING = """
load_file("stdrun.hoc")
create soma, dend, axon
connect dend(0), soma(1)
connect axon(0), soma(0)
soma { L = 20  diam = 20  insert hh }
dend { L = 300  diam = 2  nseg = 7  insert naexp  insert kexp  gbar_naexp = 0.03  gbar_kexp = 0.01  insert pas
       g_pas = 1e-4  e_pas = -65 }
axon { L = 400  diam = 1  nseg = 9  insert hh }
usetable_hh = USETABLE
objref stim, vs, vd, va, tv
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 100
stim.amp = 0.3
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.8))
va = new Vector()
va.record(&axon.v(0.9))
tv = new Vector()
tv.record(&t)
tstop = 100
run()
"""


def _check_spiking(tmp_path: Path, glibc: bool) -> None:
    """Run in the child: the spiking cell (hh with and without its rate TABLE, and our exp channels) in NEURON
    and in bridge with glibc's exp (required bit for bit) or with XLA's (its max |dV| printed)."""
    from bridge.nmodl.runtime.libm_mode import use_c_library_exp
    from tests.hoc.test_live_run import _both

    assert (use_c_library_exp(glibc) is not None) == glibc
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "naexp.mod").write_text(NAEXP)
    (mods / "kexp.mod").write_text(KEXP)
    for table in (1, 0):
        (tmp_path / str(table)).mkdir()
        _, ref, _, ours, _ = _both(tmp_path / str(table), SPIKING.replace("USETABLE", str(table)),
                                   vectors=("vs", "vd", "va", "tv"), mod_dir=mods)
        spikes = int(np.sum((ref["vs"][1:] >= 0) & (ref["vs"][:-1] < 0)))
        worst = max(float(np.max(np.abs(ours[k] - ref[k]))) for k in ("vs", "vd", "va"))
        print(f"usetable_hh={table}, glibc exp={glibc}: {spikes} spikes, max |dV| {worst:.3g} mV")
        assert spikes >= 5
        assert not glibc or worst == 0.0, worst


@pytest.mark.skipif(glibc_exp.c_library_variant() is None, reason="the C library's exp is not glibc's")
def test_exp_rates_run_bit_for_bit_with_glibc_exp(tmp_path):
    run_with_parity_arithmetic(f"from pathlib import Path; from tests.nmodl.test_exp_parity import _check_spiking; "
                               f"_check_spiking(Path({str(tmp_path)!r}), True)")
