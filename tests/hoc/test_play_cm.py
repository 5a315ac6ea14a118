"""`vec.play(&sec.cm(x), ...)` against NEURON 9.0.2: cm [uF/cm2] enters the matrix diagonal as cm*cj at t + dt/2
(src/nrnoc/fadvance.cpp `nrn_fixed_step_thread`: the play's events and `fixed_play_continuous` before
`setup_tree_matrix`; treeset.cpp `nrn_lhs`, capacitance.cpp `nrn_cap_jacob`), in each timing form, in a soma and in
one segment of a dendrite (`bridge.hoc.play`, kind "cm")."""

from __future__ import annotations

import io

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

PLAYS = CELL + """
soma stim.del = 0.5
stim.dur = 1e9
stim.amp = 0.3
objref c, tc
c = new Vector(40)
tc = new Vector(40)
for i = 0, 39 { c.x[i] = 1 + 0.8*sin(i/3)  tc.x[i] = i*0.25 + 0.0125 }
PLAY
tstop = 10
proc show() {
    printf("t %.17g v %.17g m %.17g dv %.17g\\n", t, soma.v(0.5), soma.m_hh(0.5), dend.v(0.3))
}
run()
show()
run()  // a second run: the cm the play left holds until its first event (tc.x[0] > 0), as NEURON leaves it
show()
"""

FORMS = {
    "dt": "c.play(&soma.cm(0.5), 0.25)",
    "tvec": "c.play(&soma.cm(0.5), tc)",
    "continuous": "c.play(&soma.cm(0.5), tc, 1)",
    "dendrite": "c.play(&dend.cm(0.3), tc, 1)",
}


@pytest.mark.neuron
@pytest.mark.parametrize("form", sorted(FORMS))
def test_cm_play_matches_neuron(tmp_path, form):
    theirs, ref, ours, vecs, _ = _both(tmp_path, PLAYS.replace("PLAY", FORMS[form]))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    plain = _both(tmp_path, PLAYS.replace("PLAY", ""), vectors=("vs", "vd"))[1]
    assert max(np.max(np.abs(plain[k] - ref[k])) for k in plain) > 0.01  # the play changed the run


def test_reading_a_played_cm_during_the_run_is_refused(tmp_path):
    (tmp_path / "model.hoc").write_text(PLAYS.replace("PLAY", FORMS["dt"]) + "x = soma.cm(0.5)\n")
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*soma.cm is read while a Vector plays into it"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")
