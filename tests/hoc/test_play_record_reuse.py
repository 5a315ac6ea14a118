"""A played Vector then recorded into, against NEURON 9.0.2: `vec.record(...)` first removes every play using the
Vector (src/nrniv/vrecord.cpp `nrn_vecsim_add`: `nrn_vecsim_remove(yvec)`), so the run goes on without the play
(`bridge.hoc.play.record_removes_plays`); a play's time Vector recorded into is refused."""

from __future__ import annotations

import io

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

RUN = CELL + """
stim.dur = 1e9
objref y, ty
y = new Vector(40)
y.fill(0.3)
ty = new Vector(40)
ty.indgen(0.25)
PLAY
y.record(&dend.v(0.5))
tstop = 5
run()
printf("v %.17g n %d\\n", soma.v(0.5), y.size())
"""


@pytest.mark.neuron
@pytest.mark.parametrize("play", ["y.play(&stim.amp, 0.25)", "y.play(&stim.amp, ty, 1)", 'y.play("stim.amp", ty)'])
def test_recording_into_a_played_vector_removes_its_play_as_neuron_does(tmp_path, play):
    theirs, ref, ours, vecs, _ = _both(tmp_path, RUN.replace("PLAY", play), vectors=("vs", "vd", "y"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert abs(ref["vs"][-1] - ref["vs"][0]) < 1  # NEURON ran without the play: no stimulus


def test_recording_into_a_plays_time_vector_is_refused(tmp_path):
    (tmp_path / "model.hoc").write_text(RUN.replace("PLAY", "y.play(&stim.amp, ty)").replace("y.record", "ty.record"))
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*time or index Vector of a play is not supported"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")
