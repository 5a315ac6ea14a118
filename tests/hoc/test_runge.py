"""SOLVE ... METHOD runge (scopmath runge.hpp, as nocmodl's nrn_state calls it) against NEURON 9.0.2.

Two mechanisms written for this test: `rkhh`, Hodgkin-Huxley gates and a nonlinear state `w` (w' has w*w and
reads m'), and `rkt`, a state driven by sin(t) (its block reads t). NEURON's runge moves the thread's t by
`((t + h/2) + h/2) - h` per instance and call, which is often not t; the t Vector, the t HOC prints and the
steps of `while (t < ...)` loops follow it (bridge.solver.runge_time, bridge.hoc.runge_t). Our own HOC, run by
NEURON and by a HocSession: the printed lines and t to the bit, v and the states to 1e-9 mV.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

RKHH = """: our own test mechanism: HH-like states plus a nonlinear one, solved by METHOD runge
NEURON {
    SUFFIX rkhh
    USEION na READ ena WRITE ina
    USEION k READ ek WRITE ik
    RANGE gnabar, gkbar, w
    GLOBAL kw
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gnabar = 0.12 (S/cm2) gkbar = 0.036 (S/cm2) kw = 0.3 (/ms) }
STATE { m h n w }
ASSIGNED { v (mV) ena (mV) ek (mV) ina (mA/cm2) ik (mA/cm2) minf hinf ninf mtau (ms) htau (ms) ntau (ms)
           celsius (degC) }
BREAKPOINT {
    SOLVE states METHOD runge
    ina = gnabar*m*m*m*h*(v - ena)
    ik = gkbar*n*n*n*n*(1 + w)*(v - ek)
}
INITIAL { rates(v)  m = minf  h = hinf  n = ninf  w = 0 }
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
    n' = (ninf - n)/ntau
    w' = kw*(n*n*n*n - w*w) - 0.05*w*m'
}
PROCEDURE rates(v (mV)) { LOCAL a, b, q10
    UNITSOFF
    q10 = 3^((celsius - 6.3)/10)
    a = 0.1*vtrap(-(v + 40), 10)
    b = 4*exp(-(v + 65)/18)
    mtau = 1/(q10*(a + b))
    minf = a/(a + b)
    a = 0.07*exp(-(v + 65)/20)
    b = 1/(exp(-(v + 35)/10) + 1)
    htau = 1/(q10*(a + b))
    hinf = a/(a + b)
    a = 0.01*vtrap(-(v + 55), 10)
    b = 0.125*exp(-(v + 65)/80)
    ntau = 1/(q10*(a + b))
    ninf = a/(a + b)
    UNITSON
}
FUNCTION vtrap(x, y) {
    if (fabs(x/y) < 1e-6) { vtrap = y*(1 - x/y/2) } else { vtrap = x/(exp(x/y) - 1) }
}"""

RKT = """: our own test mechanism: a runge DERIVATIVE block that reads t
NEURON { SUFFIX rkt  NONSPECIFIC_CURRENT i  RANGE g, x }
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 2e-4 (S/cm2)  e = 0 (mV)  per = 3 (ms) }
STATE { x }
ASSIGNED { v (mV) i (mA/cm2) drive }
BREAKPOINT {
    SOLVE sx METHOD runge
    i = g*x*(v - e)
}
INITIAL { x = 0.1 }
DERIVATIVE sx {
    drive = 1 + sin(6.283185307179586*t/per)
    x' = 0.5*drive*(1 - x) - 0.2*x*x
}"""

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert rkhh }
dend { L = 200  diam = 2  nseg = 5  insert pas  g_pas = 1e-4  e_pas = -65  insert rkhh  gnabar_rkhh = 0.02
       insert rkt }
objref stim, vs, vd, tv, ws
soma stim = new IClamp(0.5)
stim.del = 0.5
stim.dur = 30
stim.amp = 0.3
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.7))
ws = new Vector()
ws.record(&dend.x_rkt(0.7))
tv = new Vector()
tv.record(&t)
"""


def _mods(tmp_path):
    mods = tmp_path / "mod"
    mods.mkdir()
    (mods / "rkhh.mod").write_text(RKHH)
    (mods / "rkt.mod").write_text(RKT)
    return mods


def _plain(n: int, dt: float) -> np.ndarray:
    """t of n steps without runge: t += dt/2 twice per step."""
    out, t, half = [0.0], 0.0, 0.5 * dt
    for _ in range(n - 1):
        t = (t + half) + half
        out.append(t)
    return np.asarray(out)


@pytest.mark.neuron
def test_runge_states_and_the_t_it_moves_match_neuron(tmp_path):
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + """
        tstop = 40
        run()
        { printf("%.17g %.17g %.17g\\n", t, soma.v(0.5), dend.w_rkhh(0.3)) }
    """, ("vs", "vd", "ws", "tv"), _mods(tmp_path))
    assert not np.array_equal(ref["tv"], _plain(len(ref["tv"]), 0.025))  # NEURON's runge moved t
    np.testing.assert_array_equal(vecs["tv"], ref["tv"])
    t_line = [ln for ln in theirs if ln[:1].isdigit()]
    assert t_line and t_line[0].split()[0] == [ln for ln in ours if ln[:1].isdigit()][0].split()[0]
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_runge_with_secondorder_and_a_fadvance_loop_match_neuron(tmp_path):
    """secondorder 2: runge steps dt/2 and extrapolates; HOC's `while (t < x) fadvance()` counts the steps
    with the moved t, then continuerun goes on from it."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + """
        secondorder = 2
        dt = 0.01
        finitialize(-65)
        n = 0
        while (t < 7.3) { fadvance()  n += 1 }
        { printf("%d %.17g %.17g\\n", n, t, soma.v(0.5)) }
        continuerun(12)
        { printf("%.17g %.17g %.17g\\n", t, soma.v(0.5), dend.x_rkt(0.1)) }
    """, ("vs", "vd", "ws", "tv"), _mods(tmp_path))
    np.testing.assert_array_equal(vecs["tv"], ref["tv"])
    mine, neuron = ([ln.split() for ln in out if ln[:1].isdigit()] for out in (ours, theirs))
    # the loop's step count and t, then continuerun's t, equal to the last digit (v is round-off: _same_output)
    assert (mine[0][:2], mine[1][0]) == (neuron[0][:2], neuron[1][0])
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


RECORDS = """
objref vdt, tdt, vtv, times, wdt
vdt = new Vector()
vdt.record(&soma.v(0.5), 0.1)
tdt = new Vector()
tdt.record(&t, 0.07)
wdt = new Vector()
wdt.record(&dend.x_rkt(0.7), 0.3)
times = new Vector()
times.indgen(0, 30, 0.37)
times.append(30.005, 30.0125, 30.0375)
vtv = new Vector()
vtv.record(&dend.v(0.7), times)
"""


@pytest.mark.neuron
def test_runge_with_record_dt_and_a_time_vector_match_neuron(tmp_path):
    """Vector.record at a record dt and at a time Vector (NEURON's record events, each delivered at the step
    whose moved t reaches it), with runge moving t: the recorded values and their count as NEURON's."""
    names = ("vs", "tv", "vdt", "tdt", "wdt", "vtv")
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + RECORDS + """
        tstop = 31
        run()
        { printf("%d %d %d %d %.17g\\n", vdt.size, tdt.size, wdt.size, vtv.size, t) }
    """, names, _mods(tmp_path))
    assert not np.array_equal(ref["tv"], _plain(len(ref["tv"]), 0.025))  # NEURON's runge moved t
    for name in ("tv", "tdt"):
        np.testing.assert_array_equal(vecs[name], ref[name])
    for name in names:
        assert len(vecs[name]) == len(ref[name]), name
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_runge_with_record_dt_and_secondorder_match_neuron(tmp_path):
    """The same with secondorder 2 and a `while (t < x) fadvance()` loop before continuerun."""
    names = ("vs", "tv", "vdt", "tdt", "wdt", "vtv")
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + RECORDS + """
        secondorder = 2
        dt = 0.01
        finitialize(-65)
        while (t < 7.3) { fadvance() }
        continuerun(31)
        { printf("%d %d %d %d %.17g\\n", vdt.size, tdt.size, wdt.size, vtv.size, t) }
    """, names, _mods(tmp_path))
    for name in ("tv", "tdt"):
        np.testing.assert_array_equal(vecs[name], ref[name])
    for name in names:
        assert len(vecs[name]) == len(ref[name]), name
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
