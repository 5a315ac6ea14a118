"""A TABLE is rebuilt only when NEURON rebuilds it: when a DEPEND value changed since the last build.

nocmodl's `_check_<f>` keeps a static `_maktable` flag and `_sav_<d>` copies of the DEPEND values; a
GLOBAL the tabulated code reads but does not DEPEND on, changed from HOC between runs, leaves NEURON on
the table built with its old value (bridge.nmodl.runtime.table_memory, bridge.hoc.live_tables). Our own
.mod and HOC files, run by NEURON 9 and by bridge. Before the fix bridge rebuilt every table at each run
from the values then, and the stale-table cases differed by tens of mV.
"""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_vectors

# a potassium-like current whose rates PROCEDURE is tabulated; it DEPENDs on vhalf but also reads slope
TAB_MOD = """
NEURON {
    SUFFIX %(suffix)s
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL vhalf, slope
    %(threadsafe)s
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.03 (S/cm2) vhalf = -40 (mV) slope = 7 (mV) }
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
    ninf = 1/(1 + exp(-(v - vhalf)/slope))
    tau = 1 + 4/(exp((v - vhalf)/20) + exp(-(v - vhalf)/25))
}
"""

CELL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh  insert %(suffix)s  gkbar_hh = 0.01 }
objref stim, vs, tv, v1, v2
soma stim = new IClamp(0.5)
stim.del = 0.5
stim.dur = 20
stim.amp = 0.25
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
tstop = 15
"""


def _mod(tmp_path, threadsafe: bool):
    suffix = "tabs" if threadsafe else "tabn"
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / f"{suffix}.mod").write_text(TAB_MOD % {"suffix": suffix, "threadsafe": "THREADSAFE" if threadsafe else ""})
    return mod, suffix


def _run(tmp_path, threadsafe: bool, protocol: str, vectors=("vs", "tv")):
    mod, suffix = _mod(tmp_path, threadsafe)
    text = (CELL % {"suffix": suffix}) + protocol.replace("SUF", suffix)
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors, mod_dir=mod)
    return _same_vectors(ref, vecs)


@pytest.mark.neuron
@pytest.mark.parametrize("threadsafe", [True, False], ids=["threadsafe", "not-threadsafe"])
def test_global_outside_depend_changed_between_runs_keeps_the_table(tmp_path, threadsafe):
    """slope changed between runs, vhalf not: NEURON's second run looks up the table built with slope 7."""
    _run(tmp_path, threadsafe, """
run()
v1 = vs.c
slope_SUF = 2.5
run()
""", ("vs", "tv", "v1"))
