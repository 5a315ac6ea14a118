"""A HOC call of a tabulated FUNCTION checks that function's TABLE only, as NEURON's HOC wrapper does.

nocmodl's `_hoc_f` (the generated HOC entry of FUNCTION f) calls `_check_f()` and nothing else: another
TABLE of the same file is left as it is (built or not) until its own check. So a GLOBAL that g's table reads
without DEPENDing on it (a common slip: `celsius` or a scale factor left out of DEPEND) is read by NEURON at
g's first check, at finitialize, not when HOC called f. bridge checked every TABLE of the file at the call.
In a file nocmodl does not vectorize (here: it assigns a GLOBAL) every call of a tabulated function checks its
TABLE first (`#if 1 _check_g()` in g), so a call of h, which calls g, builds g's table. In a vectorized file a
call of code that looks up a table NEURON has not built yet (NEURON reads the uninitialised table) is refused.
Our .mod and HOC files, run by NEURON 9.0.2 and by bridge.
"""

from __future__ import annotations

import pytest

from bridge.errors import BridgeError
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MOD = """
NEURON {
    SUFFIX twotab
    NONSPECIFIC_CURRENT i
    GLOBAL a, b, c
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { a = 1  b = 2  c = 3 }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = 1e-4*(f(v) + g(v)) }
FUNCTION f(x) {
    TABLE DEPEND a FROM -100 TO 100 WITH 200
    f = a*x*1e-2
}
FUNCTION g(x) {
    TABLE DEPEND b FROM -100 TO 100 WITH 200
    g = b*c*(x + 65)*1e-2
}
FUNCTION h(x) {
    h = g(x)
}
"""

CELL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert pas  g_pas = 1e-4  e_pas = -65  insert twotab }
objref vs, tv, stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 2
stim.amp = 0.05
vs = new Vector()
tv = new Vector()
vs.record(&soma.v(0.5))
tv.record(&t)
tstop = 5
"""


NOT_VECTORIZED = MOD.replace("GLOBAL a, b, c", "GLOBAL a, b, c, last").replace(
    "ASSIGNED { v (mV) i (mA/cm2) }", "ASSIGNED { v (mV) i (mA/cm2) last }").replace(
    "    h = g(x)", "    last = x\n    h = g(x)")


def _mods(tmp_path, text=MOD):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "twotab.mod").write_text(text)
    return mod


@pytest.mark.neuron
def test_a_call_of_f_leaves_g_s_table_to_its_own_first_check(tmp_path):
    """c changed after the call: NEURON builds g's table at finitialize with c = 7; checking g at the call
    (c = 5) and keeping it (b unchanged) gave another current."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + """
        c_twotab = 5
        print f_twotab(10)
        c_twotab = 7
        finitialize(-65)
        continuerun(tstop)
        print g_twotab(-20)
        """, ("vs", "tv"), mod_dir=_mods(tmp_path))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_a_call_after_a_run_uses_the_table_as_built(tmp_path):
    """After finitialize built both tables, h() (no TABLE of its own) looks g up unchecked: c changed since
    is not seen, in NEURON as in bridge."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + """
        finitialize(-65)
        continuerun(tstop)
        c_twotab = 11
        print h_twotab(-20), g_twotab(-20)
        b_twotab = 4
        print h_twotab(-20)
        print g_twotab(-20), h_twotab(-20)
        """, ("vs", "tv"), mod_dir=_mods(tmp_path))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_a_lookup_in_a_table_never_built_is_refused(tmp_path):
    """h() before any check of g: NEURON reads g's table before anything filled it."""
    from bridge import HocSession

    mod = _mods(tmp_path)
    path = tmp_path / "model.hoc"
    path.write_text(CELL + "x = h_twotab(-20)\n")
    with pytest.raises(BridgeError, match="not built") as err:
        HocSession(mod, cwd=tmp_path).load_file(path)
    assert "model.hoc:" in str(err.value)


@pytest.mark.neuron
def test_in_a_file_not_vectorized_a_call_checks_every_table_it_looks_up(tmp_path):
    """h() before any run: g's own check (inside g) builds its table with c = 3; c changed after, b not, so
    finitialize keeps it: NEURON's run uses the c = 3 table."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + """
        print h_twotab(-20)
        c_twotab = 7
        finitialize(-65)
        continuerun(tstop)
        print g_twotab(-20), h_twotab(-20)
        """, ("vs", "tv"), mod_dir=_mods(tmp_path, NOT_VECTORIZED))
    assert ["2.7"] in [line.split() for line in theirs]  # the premise: NEURON built g's table at the call
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
