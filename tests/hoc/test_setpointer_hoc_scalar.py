"""`setpointer` to a HOC scalar (ModelDB 39949: `setpointer soma.mu_caL(0.5), mu`), to an element of a HOC array,
and to another point process's variable (ModelDB 3658: `setpointer ampa.pglu, syn.glu`): the mechanism reads the
variable whenever its blocks run, so a HOC scalar changed between runs or between `fadvance()`s is seen at the next
step, and a point process reads what the other computed in the same step. Printed to 17 digits and compared with
NEURON 9 running the same files (.mod written for this test)."""

from __future__ import annotations

import pytest

from bridge.errors import HocRefusal
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

# a conductance scaled by what its POINTER reads (caL.mod's `P = mu*Pbar*m`)
HSCAL = """
NEURON { SUFFIX hscal  POINTER mu  RANGE g  NONSPECIFIC_CURRENT i }
PARAMETER { g = 1e-4 (S/cm2)  e = -90 (mV) }
ASSIGNED { v (mV)  i (mA/cm2)  mu }
BREAKPOINT { i = g*mu*(v - e) }
"""

# a point process computing a transmitter concentration in BREAKPOINT (gludif2.mod's glu)
GSRC = """
NEURON { POINT_PROCESS gsrc  RANGE glu, amp, tau }
PARAMETER { amp = 2 (mM)  tau = 1.5 (ms) }
ASSIGNED { glu (mM) }
INITIAL { glu = 0 }
BREAKPOINT { glu = amp*exp(-t/tau) }
"""

# a receptor whose state follows the concentration it points at (ampad2.mod's pglu)
RECP = """
NEURON { POINT_PROCESS recp  POINTER pglu  RANGE gmax, o  NONSPECIFIC_CURRENT i }
PARAMETER { gmax = 0.01 (uS)  e = 0 (mV)  k = 0.5 (/ms)  tau = 2 (ms) }
ASSIGNED { v (mV)  i (nA)  pglu (mM) }
STATE { o }
INITIAL { o = pglu }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gmax*o*(v - e)
}
DERIVATIVE states { o' = k*pglu - o/tau }
"""

RUNS = """
mu = 1
double a[3]
a[1] = 0.5
soma insert hscal
dend insert hscal
setpointer soma.mu_hscal(0.5), mu
dend for (x, 0) setpointer mu_hscal(x), a[1]
objref src, rec, src2
dend src = new gsrc(0.3)
dend src2 = new gsrc(0.3)
src2.amp = 5
dend rec = new recp(0.7)
setpointer rec.pglu, src2.glu
stim.del = 0.5
stim.dur = 2
stim.amp = 0.3
tstop = 3
proc show() {
    printf("%s %.17g %.17g %.17g %.17g\\n", $s1, t, soma.v(0.5), dend.v(0.5), rec.o)
}
run()
show("run1")
mu = 2.5
a[1] = 3
run()
show("run2")
finitialize(-65)
show("init")
while (t < 2) {
    mu = 1 + t
    a[1] = 2 - t
    fadvance()
}
show("loop")
continuerun(3)
show("end")
"""


def _mods(tmp_path):
    mods = tmp_path / "mods"
    mods.mkdir()
    for name, text in (("hscal", HSCAL), ("gsrc", GSRC), ("recp", RECP)):
        (mods / f"{name}.mod").write_text(text)
    return mods


@pytest.mark.neuron
def test_pointers_to_hoc_scalars_and_point_process_variables_as_in_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + RUNS, mod_dir=_mods(tmp_path))
    print("\n".join(theirs))
    run1 = next(ln for ln in theirs if ln.startswith("run1")).split()
    run2 = next(ln for ln in theirs if ln.startswith("run2")).split()
    assert run1[2] != run2[2]  # the scalar changed between runs changes the run
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_a_pointer_to_a_string_is_refused(tmp_path):
    path = tmp_path / "m.hoc"
    path.write_text("create soma\nsoma insert hscal\nstrdef s\nsetpointer soma.mu_hscal(0.5), s\n")
    with pytest.raises(HocRefusal, match="setpointer soma.mu_hscal.* to this variable"):
        HocSession(_mods(tmp_path), cwd=tmp_path).load_file(path)
