"""FInitializeHandler (bridge.hoc.finithnd): each type runs where NEURON's finitialize runs it, and what
it assigns (v, a STATE, a parameter) takes effect as in NEURON 9: printed output and recorded Vectors
(max |dV| <= 1e-9 mV) of our own HOC files, run by NEURON and by a HocSession."""

from __future__ import annotations

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

ORDER = """
proc p3() { printf("type 3 t=%g\\n", t) }
proc p0() { printf("type 0 v=%g m=%g\\n", soma.v(.5), soma.m_hh(.5)) }
proc p1() { printf("type 1 v=%g m=%.17g\\n", soma.v(.5), soma.m_hh(.5)) }
proc p2() { printf("type 2 v=%g m=%.17g\\n", soma.v(.5), soma.m_hh(.5)) }
proc q() { print "top-level q" }
begintemplate T
public f
objref f, this
proc init() { if ($1) f = new FInitializeHandler(2, "q()", this) else f = new FInitializeHandler(2, "q()") }
proc q() { print "T's q" }
endtemplate T
objref f2, f3, f0, f1, tt[2], gone
f2 = new FInitializeHandler(2, "p2()")
f3 = new FInitializeHandler(3, "p3()")
f0 = new FInitializeHandler(0, "p0()")
f1 = new FInitializeHandler("p1()")
tt[0] = new T(0)
tt[1] = new T(1)
gone = new FInitializeHandler(1, "print \\"not run\\"")
gone = new Vector()
finitialize(-60)
print f1
"""


@pytest.mark.neuron
def test_handler_types_run_in_neurons_order_and_context(tmp_path):
    """Type 3, 0, 1, 2 in that order; without an object a template's handler runs at top level, with
    `this` in the template; a handler whose objref was reassigned runs no more."""
    theirs, _, ours, _, _ = _both(tmp_path, CELL + ORDER, vectors=())
    _same_output(theirs, ours)
    assert any("type 0 v=-60 m=0" in ln for ln in theirs) and "T's q" in theirs and "top-level q" in theirs


@pytest.mark.neuron
@pytest.mark.parametrize("kind, stmt", [
    (1, "soma.v(0.5) = -50"),  # recorded at t = 0 already
    (2, "soma.v(0.5) = -50"),  # after the t = 0 recording
    (1, "soma.m_hh(0.5) = 0.3 dend.v(0.7) = -80"),
    (2, "soma.n_hh(0.5) = 0.6"),
    (1, "soma.gnabar_hh(0.5) = 0.2"),
    (0, "soma.gkbar_hh(0.5) = 0.02 dend.e_pas = -70"),  # before INITIAL
    (3, "dend.g_pas = 3e-4"),
])
def test_what_a_handler_assigns_takes_effect_as_in_neuron(tmp_path, kind, stmt):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + f"""
        objref fih, iv
        fih = new FInitializeHandler({kind}, "{stmt}")
        iv = new Vector()
        iv.record(&soma.ina(0.5))
        stim.del = 1
        stim.dur = 5
        stim.amp = 0.1
        tstop = 10
        objref recs, recd, reci
        run()
        recs = vs.c
        recd = vd.c
        reci = iv.c
        x = printf("%.17g %.17g %.17g\\n", soma.v(0.5), soma.m_hh(0.5), dend.v(0.7))
        finitialize(-65)
        x = printf("%.17g %.17g\\n", soma.v(0.5), soma.m_hh(0.5))
    """, vectors=("recs", "recd", "reci", "vs", "iv"))
    assert ref["recs"].size == 401
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_type_0_assigning_v_is_refused(tmp_path):
    path = tmp_path / "m.hoc"
    path.write_text(CELL + 'objref fih\nfih = new FInitializeHandler(0, "soma.v(0.5) = 10")\nfinitialize(-65)\n')
    with pytest.raises(BridgeError, match="type 0 assigned v in soma"):
        HocSession(cwd=tmp_path).load_file(path)
