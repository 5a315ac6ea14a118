"""NEURON's VectorPlay tool (lib/hoc/vplay.hoc, run from NEURON's installed library with its GUI as
no-ops) as a session file builds it: `con1(1)` plays vy into the chosen variable at the times vx, discrete or
piecewise continuous (`contin`). v and the clamp against NEURON 9.0.2 (ModelDB 105385's vplay.ses plays a
recorded voltage into SEClamp[0].amp1 this way)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

SESSION = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref sec, vs, tv, ocbox_
soma sec = new SEClamp(0.5)
sec.dur1 = 8
sec.rs = 0.2
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
{load_file("vplay.hoc")}
{ocbox_ = new VectorPlay(1)}
{object_push(ocbox_)}
vy = new Vector(5)
vx = new Vector(5)
for i=0,4 { vx.x[i] = i*1.3  vy.x[i] = -70 + 12*i }
{sname = "SEClamp[0].amp1"  have_name = 1  contin = CONTIN con1(1)}
{object_pop()}
objref ocbox_
tstop = 8
run()
printf("%.15g %.15g\\n", soma.v(0.5), VectorPlay[0].oldval)
"""


@pytest.mark.neuron
@pytest.mark.parametrize("contin", [0, 1])
def test_vectorplay_session_matches_neuron(tmp_path, contin):
    theirs, ref, ours, vecs, _ = _both(tmp_path, SESSION.replace("CONTIN", str(contin)), ("vs", "tv"))
    _same_output(theirs, ours)
    v = ref["vs"]
    assert v.min() < -69 and v.max() > (0 if contin else -22)  # the played levels drive the clamp
    assert np.abs(np.diff(v)).max() > 1  # and change during the run
    _same_vectors(ref, vecs)
