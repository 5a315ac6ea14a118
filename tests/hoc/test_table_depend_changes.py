"""A TABLE whose DEPEND value changes during a run is rebuilt when NEURON rebuilds it.

nocmodl's `_check_<name>` compares the saved DEPEND values (`_sav_celsius`, `_sav_<global>`) with the
present ones at each step's start (fadvance.cpp `nrn_fixed_step`: `nrn_thread_table_check`) and rebuilds
on a change. A discrete Vector.play event at t is delivered at the end of the step that reaches t
(`nrn_fixed_step_lastpart`: `nrn_deliver_events`), so the next step's table already has the new value.
Our HOC and .mod files, run by NEURON 9 and by bridge. Before the fix the discrete plays differed by
1.4 to 3.8 mV (the table rebuilt one step late); the continuous play and the fadvance loop were already
right and stay here as guards of the same rule.
"""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_vectors

HH_CELL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh }
objref stim, vs, tv, tc, cel
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 10
stim.amp = 0.3
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
tstop = 10
"""

# our own mechanism: a potassium-like current whose rate FUNCTION is tabulated and depends on a GLOBAL
TABLED_MOD = """
NEURON {
    SUFFIX tabk
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL vhalf
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.02 (S/cm2) vhalf = -40 (mV) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf tau (ms) }
STATE { n }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*n*(v - ek)
}
INITIAL { rates(v) n = ninf }
DERIVATIVE states { rates(v) n' = (ninf - n)/tau }
PROCEDURE rates(v (mV)) {
    TABLE ninf, tau DEPEND vhalf FROM -100 TO 100 WITH 200
    ninf = 1/(1 + exp(-(v - vhalf)/7))
    tau = 1 + 4/(exp((v - vhalf)/20) + exp(-(v - vhalf)/25))
}
"""

TABLED_CELL = """
create soma
soma { L = 20  diam = 20  insert hh  insert tabk  gkbar_hh = 0.01 }
objref stim, vs, tv, tc, vh
soma stim = new IClamp(0.5)
stim.del = 0.5
stim.dur = 20
stim.amp = 0.25
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
dt = 0.025
"""


@pytest.mark.neuron
@pytest.mark.parametrize("play", [
    # a step: discrete with a time Vector, the jump at t = 5 (a step boundary)
    "tc = new Vector(2)\ncel = new Vector(2)\ntc.x[1] = 5\ncel.x[0] = 6.3\ncel.x[1] = 30\ncel.play(&celsius, tc)",
    # a step: discrete with a play dt (5 ms)
    "cel = new Vector(3)\ncel.x[0] = 6.3\ncel.x[1] = 30\ncel.x[2] = 12\ncel.play(&celsius, 5)",
    # discrete every step (the play dt is the run's dt)
    "cel = new Vector(401)\ncel.indgen(6.3, 0.06)\ncel.play(&celsius, dt)",
    # continuous: a ramp and a jump
    "tc = new Vector(4)\ncel = new Vector(4)\ntc.x[1] = 3.01\ntc.x[2] = 3.01\ntc.x[3] = 7.3\n"
    "cel.x[0] = 6.3\ncel.x[1] = 6.3\ncel.x[2] = 25\ncel.x[3] = 35\ncel.play(&celsius, tc, 1)",
], ids=["tvec-step", "dt-step", "every-step", "continuous"])
def test_hh_table_follows_played_celsius(tmp_path, play):
    """hh's rates TABLE (DEPEND celsius) with celsius played during run()."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, HH_CELL + play + "\nrun()\n", ("vs", "tv"))
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_table_depend_global_set_in_fadvance_loop(tmp_path):
    """A GLOBAL the TABLE depends on, assigned from HOC between fadvance() calls."""
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "tabk.mod").write_text(TABLED_MOD)
    theirs, ref, ours, vecs, _ = _both(tmp_path, TABLED_CELL + """
finitialize(-65)
while (t < 12) {
    if (t > 3) vhalf_tabk = -25
    if (t > 6) vhalf_tabk = -55
    if (t > 9) vhalf_tabk = -30
    fadvance()
}
""", ("vs", "tv"), mod_dir=mod)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_table_depend_global_played(tmp_path):
    """A GLOBAL the TABLE depends on, played discretely (the table follows at the next step's start)."""
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "tabk.mod").write_text(TABLED_MOD)
    theirs, ref, ours, vecs, _ = _both(tmp_path, TABLED_CELL + """
load_file("stdrun.hoc")
tc = new Vector(3)
vh = new Vector(3)
tc.x[0] = 0
tc.x[1] = 4
tc.x[2] = 8.5
vh.x[0] = -40
vh.x[1] = -22
vh.x[2] = -58
vh.play(&vhalf_tabk, tc)
tstop = 12
run()
""", ("vs", "tv"), mod_dir=mod)
    _same_vectors(ref, vecs)
