"""`Vector.play` with a point process as its first argument (`y.play(pp, &pp.var, dt or tvec[, 1])`, the form
NEURON's documentation gives for a variable of a point process, so that the play follows the point process's
thread), against NEURON 9.0.2: the same run as without it (src/nrniv/vrecord.cpp `nrn_vecsim_add` only reads the
point process for its thread). The three timing forms (dt, time Vector discrete and continuous) into an IClamp
and an SEClamp, with two plays on one point process."""

from __future__ import annotations

import numpy as np
import pytest

from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

PLAYS = CELL + """
soma stim.del = 0
stim.dur = 1e9
objref clamp, amp, tamp, vc, tvc, dur
dend clamp = new SEClamp(0.3)
clamp.rs = 1
// discrete with a dt into the IClamp
amp = new Vector(40)
for i = 0, 39 amp.x[i] = 0.15*sin(i/4)
amp.play(stim, &stim.amp, 0.1)
// continuous with a time Vector into the SEClamp's level, discrete with one into its duration
tvc = new Vector(4)
vc = new Vector(4)
tvc.x[0] = 0
tvc.x[1] = 1.3
tvc.x[2] = 2.6125
tvc.x[3] = 4
vc.x[0] = -70
vc.x[1] = -20
vc.x[2] = -55
vc.x[3] = -40
vc.play(clamp, &clamp.amp1, tvc, 1)
tamp = new Vector(2)
dur = new Vector(2)
tamp.x[0] = 0
tamp.x[1] = 3
dur.x[0] = 1e9
dur.x[1] = 0
dur.play(clamp, &clamp.dur1, tamp)
tstop = 5
proc show() {
    printf("t %.17g v %.17g i %.17g\\n", t, soma.v(0.5), clamp.i)
}
"""


@pytest.mark.neuron
def test_play_with_a_point_process_argument_matches_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, PLAYS + "run()\nshow()\n")
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    plain = PLAYS.replace("amp.play(", "// amp.play(").replace("vc.play(", "// vc.play(")
    plain = plain.replace("dur.play(", "// dur.play(")
    unplayed = _both(tmp_path, plain + "run()\n", vectors=("vd",))[1]["vd"]
    assert np.max(np.abs(unplayed - ref["vd"])) > 1.0  # the plays changed the run
