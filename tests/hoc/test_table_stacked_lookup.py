"""A TABLE's outputs looked up from one stacked array (bridge.nmodl.runtime.tables `_stacked`, `lookup`).

The scalar outputs of a TABLE are built into one (points, outputs) array and each lookup reads rows i and i + 1 of
it for all of them; an array output (`inf[2]`) keeps its own table. Our .mod file tabulates three scalar outputs
(one a RANGE the BREAKPOINT reads, one computed from another output) and a two-element array over a narrow range
(-70 to -50 mV, 20 intervals), so that the run's v crosses both ends of the table (`xi <= 0`: the first entry,
`xi >= n`: the last) and the interior; NEURON 9 and a `HocSession` run the same HOC file: v, a STATE and the
current at three places, max |dV| <= 1e-9 mV.
"""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MOD = """
NEURON {
    SUFFIX tbx
    NONSPECIFIC_CURRENT i
    RANGE g, gnow
    GLOBAL minf, mtau, hinf, inf
}
PARAMETER { g = 0.002 (S/cm2) e = -75 (mV) }
ASSIGNED { v (mV) i (mA/cm2) gnow (S/cm2) minf mtau (ms) hinf inf[2] }
STATE { m h }
INITIAL { rates(v) m = minf h = hinf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    gnow = g*m*m*h*(inf[0] + inf[1])
    i = gnow*(v - e)
}
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/(2*mtau)
}
PROCEDURE rates(v (mV)) {
    TABLE minf, mtau, hinf, inf FROM -70 TO -50 WITH 20
    minf = 1/(1 + exp(-(v + 60)/4))
    mtau = 0.5 + 2*exp(-(v + 60)*(v + 60)/50)
    hinf = 0.3 + 0.7*minf*minf
    inf[0] = 0.5/(1 + exp((v + 55)/3))
    inf[1] = 0.2 + 0.1*mtau
}
"""

RUN = """
load_file("stdrun.hoc")
create soma
soma { nseg = 3  L = 20  diam = 20  insert tbx  insert pas  g_pas = 1e-4  e_pas = -65 }
objref stim, vs, ve, ms, is, tv
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 6
stim.amp = 0.3
vs = new Vector()
vs.record(&soma.v(0.5))
ve = new Vector()
ve.record(&soma.v(0.1))
ms = new Vector()
ms.record(&soma.m_tbx(0.9))
is = new Vector()
is.record(&soma.i_tbx(0.5))
tv = new Vector()
tv.record(&t)
tstop = 15
v_init = -80
run()
print "vmax ", vs.max(), " vmin ", vs.min()
"""


@pytest.mark.neuron
def test_stacked_table_lookup_across_the_table_ends_matches_neuron(tmp_path):
    """v starts below the table (-80 mV), the current pushes it above its end and it falls back: the lookups
    at both ends and inside match NEURON's (v, m and i, max |dV| <= 1e-9 mV)."""
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "tbx.mod").write_text(MOD)
    theirs, ref, ours, vecs, _ = _both(tmp_path, RUN, ("vs", "ve", "ms", "is", "tv"), mod_dir=mod)
    vmax, vmin = (float(x) for x in theirs[-1].split()[1::2])
    assert vmin < -70 and vmax > -50, theirs  # the run reads both ends of the table
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
