"""RANGE ASSIGNED variables HOC assigns, of a density mechanism and of a point process, before finitialize() and
between runs (ModelDB 2016666's util.mod: `dist_util(x) = ...`): NEURON keeps what HOC wrote until the mechanism's
code assigns the variable, so a value INITIAL or BREAKPOINT reads is HOC's, and HOC reads it back. Printed to 17
digits and compared with NEURON 9 running the same files (.mod written for this test)."""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

# w: a conductance only HOC sets, read by BREAKPOINT; w0: read by INITIAL to start the STATE s;
# products only (no a*b + c, which XLA may fuse into one FMA)
HSET = """
NEURON { SUFFIX hset  RANGE w, w0  NONSPECIFIC_CURRENT i }
PARAMETER { e = -70 (mV)  tau = 3 (ms) }
ASSIGNED { v (mV)  i (mA/cm2)  w (S/cm2)  w0 }
STATE { s }
INITIAL { s = w0 }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = w*s*(v - e)
}
DERIVATIVE states { s' = -s/tau }
"""

# util.mod's shape: ASSIGNEDs only, a place for HOC to keep per-segment numbers
MARK = """
NEURON { SUFFIX mark  RANGE dist, zin }
ASSIGNED { dist (micron)  zin (megohm) }
"""

# a point process whose current HOC sets through an ASSIGNED
PSET = """
NEURON { POINT_PROCESS pset  RANGE amp0  ELECTRODE_CURRENT i }
ASSIGNED { i (nA)  amp0 (nA) }
BREAKPOINT { i = amp0 }
"""

RUNS = """
objref pp
soma insert hset
dend insert hset
dend insert mark
soma.w_hset = 1e-4
dend.w_hset(0.7) = 2e-4
soma.w0_hset = 0.5
dend.w0_hset = 0.25
dend.dist_mark(0.3) = 42
dend.zin_mark = 3.5
soma pp = new pset(0.5)
pp.amp0 = 0.3
stim.amp = 0
proc show() {
    printf("%s %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\\n", $s1, soma.w_hset(0.5), dend.w_hset(0.7), \\
           dend.dist_mark(0.3), dend.zin_mark(0.9), pp.amp0, soma.s_hset(0.5), dend.s_hset(0.1), soma.v(0.5))
}
tstop = 6
finitialize(-65)
show("init")
continuerun(2)
show("t2")
soma.w_hset = 3e-4
dend.dist_mark(0.3) = 7
pp.amp0 = 0.1
show("set")
continuerun(4)
show("t4")
run()
show("rerun")
"""


@pytest.mark.neuron
def test_range_assigned_set_from_hoc_as_in_neuron(tmp_path):
    mods = tmp_path / "mods"
    mods.mkdir()
    for name, text in (("hset", HSET), ("mark", MARK), ("pset", PSET)):
        (mods / f"{name}.mod").write_text(text)
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + RUNS, mod_dir=mods)
    print("\n".join(theirs))
    init = next(ln for ln in theirs if ln.startswith("init")).split()
    # HOC's values kept through finitialize, and INITIAL read HOC's w0 into s
    assert init[1:8] == ["0.0001", "0.00020000000000000001", "42", "3.5", "0.29999999999999999", "0.5", "0.25"]
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


# an ASSIGNED HOC sets that BREAKPOINT computes every step (226401's NMDA: `syn.g = gnmdamax`, then `g = B - A`):
# the mechanism's assignment wins from the first current evaluation on
GCOMP = """
NEURON { POINT_PROCESS gcomp  RANGE g, tau  NONSPECIFIC_CURRENT i }
PARAMETER { tau = 2 (ms)  e = 0 (mV) }
ASSIGNED { v (mV)  i (nA)  g (uS) }
STATE { A (uS) }
INITIAL { A = 0.001 }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = A
    i = g*(v - e)
}
DERIVATIVE states { A' = -A/tau }
"""

GRUNS = """
objref syn
soma syn = new gcomp(0.5)
syn.g = 0.5
stim.amp = 0
proc show() { printf("%s %.17g %.17g\\n", $s1, syn.g, soma.v(0.5)) }
tstop = 3
run()
show("run")
syn.g = 0.25
run()
show("rerun")
"""


@pytest.mark.neuron
def test_assigned_set_from_hoc_and_computed_by_breakpoint_as_in_neuron(tmp_path):
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "gcomp.mod").write_text(GCOMP)
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + GRUNS, mod_dir=mods)
    assert not any(ln.startswith("run 0.5") for ln in theirs), theirs  # BREAKPOINT's g, not HOC's
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
