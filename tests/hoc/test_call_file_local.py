"""A PROCEDURE called from HOC that fills file-level LOCALs and a GLOBAL ASSIGNED array, which INITIAL and the
SOLVEd block then read (ModelDB 3263's cadiv.mod: `coord_cadifus()` in the model's init() fills `LOCAL frat[4]` and
`GLOBAL vol`, INITIAL calls `coord()` only while a file LOCAL flag is 0). NEURON keeps each as one C variable per
mechanism, so INITIAL starts on what the call left. Here the call sets the flag, so INITIAL keeps the call's values
(computed with HOC's argument, not INITIAL's): bridge must start its run from them. Compared with NEURON 9 running the
same files (.mod written for this test). A call after a run writes NEURON's one variable, which the running blocks
read next; a call that reads one whose per-instance copies in bridge's run differ is refused."""

from __future__ import annotations

import pytest

from bridge.errors import HocRefusal
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

MEM = """
NEURON {
    SUFFIX memk
    NONSPECIFIC_CURRENT i
    GLOBAL vo
    RANGE gbar, e
}
DEFINE N 3
PARAMETER { gbar = 0.002 (mho/cm2)  e = -80 (mV)  tau = 4 (ms) }
ASSIGNED { v (mV)  i (mA/cm2)  vo[N] }
STATE { s }
LOCAL fr[N], ready, vlast
INITIAL {
    if (ready == 0) {
        geom(1)
    }
    s = fr[1]*vo[2]
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    vlast = v
    i = gbar*s*(v - e)
}
DERIVATIVE states {
    s' = (fr[2]*vo[1]*(1 + v/100) - s)/tau
}
PROCEDURE geom(scale) {
    LOCAL r
    r = 0.5*scale
    vo[0] = 0
    FROM k = 0 TO N - 2 {
        vo[k] = vo[k] + r/N
        fr[k + 1] = 2*r/(k + 1)
        vo[k + 1] = r*(k + 1)/N
    }
    fr[0] = r
    ready = scale
}
FUNCTION getfr(k) {
    getfr = fr[k]
}
FUNCTION getvlast() {
    getvlast = vlast
}
"""

RUN = """
soma { insert memk }
dend { insert memk  gbar_memk = 0.004 }
stim.del = 1
stim.dur = 2
stim.amp = 0.3
tstop = 10
geom_memk(2.5)
dummy = printf("fr %.17g %.17g\\n", getfr_memk(1), getfr_memk(2))
run()
dummy = printf("end %.17g %.17g %.17g\\n", soma.s_memk(0.5), dend.s_memk(0.9), dend.v(0.3))
"""


def _mods(tmp_path):
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "memk.mod").write_text(MEM)
    return mods


@pytest.mark.neuron
def test_a_hoc_call_before_finitialize_fills_the_memory_initial_starts_from(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + RUN, mod_dir=_mods(tmp_path))
    print("\n".join(theirs))
    # fr[1] = 2*r with r = 1.25: the call's argument reached NEURON's run
    assert next(ln for ln in theirs if ln.startswith("fr")).split()[1] == "2.5"
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


AFTER = """
geom_memk(4)
dummy = printf("fr %.17g %.17g\\n", getfr_memk(1), getfr_memk(2))
continuerun(16)
dummy = printf("end %.17g %.17g %.17g\\n", soma.s_memk(0.5), dend.s_memk(0.9), dend.v(0.3))
"""


@pytest.mark.neuron
def test_a_hoc_call_after_a_run_reaches_the_running_blocks(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + RUN + AFTER, mod_dir=_mods(tmp_path))
    print("\n".join(theirs))
    assert [ln.split()[1] for ln in theirs if ln.startswith("fr")] == ["2.5", "4"]
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_reading_one_the_instances_hold_apart_after_a_run_is_refused(tmp_path):
    path = tmp_path / "m.hoc"
    path.write_text("create soma\nsoma { nseg = 3  insert memk }\nsoma.v(0.1) = -50\nfinitialize()\nfadvance()\n"
                    "x = getvlast_memk()\n")
    with pytest.raises(HocRefusal, match=r"getvlast_memk: calling it from HOC is not supported here: it reads the "
                                         r"file LOCAL vlast"):
        HocSession(_mods(tmp_path), cwd=tmp_path).load_file(path)


def test_a_call_that_leaves_other_values_changes_the_model_fingerprint(tmp_path):
    """The next finitialize() freezes the model again (bridge.hoc.runcheck): INITIAL starts from the new values."""
    from bridge.hoc.runcheck import fingerprint

    path = tmp_path / "m.hoc"
    path.write_text("create soma\nsoma insert memk\ngeom_memk(2)\n")
    hoc = HocSession(_mods(tmp_path), cwd=tmp_path)
    hoc.load_file(path)
    before = fingerprint(hoc._state)
    hoc("geom_memk(2)")
    assert fingerprint(hoc._state) == before
    hoc("geom_memk(3)")
    assert fingerprint(hoc._state) != before
