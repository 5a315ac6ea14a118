"""`vec.play(index)` against NEURON 9.0.2 (src/nrniv/vrecord.cpp `nrn_vecsim_add`: the Vector's first play, a
statement play, runs its statement with hoc_ac_ = vec.x[index] now; a `&var` play and no play do nothing), before
a run and between pieces of one (`bridge.hoc.play.play_index`)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

RUN = CELL + """
soma stim.del = 0
stim.dur = 1e9
objref g, tg
g = new Vector(4)
g.x[0] = 0.05
g.x[1] = 0.3
g.x[2] = 0.12
g.x[3] = -0.1
tg = new Vector(4)
tg.x[0] = 1.5
tg.x[1] = 4
tg.x[2] = 6.5
tg.x[3] = 9
PLAY
tstop = 10
proc show() {
    printf("t %.17g v %.17g m %.17g\\n", t, soma.v(0.5), soma.m_hh(0.5))
}
hoc_ac_ = 0
BEFORE
stdinit()
continuerun(2.5)
show()
DURING
continuerun(5)
show()
g.play(0)
continuerun(tstop)
show()
"""

CASES = {
    # before the run: the statement's variable holds g.x[2] until the first event at 1.5 ms
    "before": ('g.play("stim.amp = $1", tg)', "g.play(2)\nprintf(\"%g\\n\", hoc_ac_)\nhoc_ac_ = 0", ""),
    # between pieces: g.x[3] from t = 2.5 until the event at 4, then g.x[0] from 5 until the event at 6.5
    "during": ('g.play("stim.amp", tg)', "", "g.play(3)"),
    # a dt play: events at 0, 3, 6, 9
    "dt": ('g.play("stim.amp = $1", 3)', "", "g.play(1.9)"),
}


@pytest.mark.neuron
@pytest.mark.parametrize("case", sorted(CASES))
def test_play_index_matches_neuron(tmp_path, case):
    play, before, during = CASES[case]
    text = RUN.replace("PLAY", play).replace("BEFORE", before).replace("DURING", during)
    theirs, ref, ours, vecs, _ = _both(tmp_path, text)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    if case != "before":  # the statement's values changed the run
        plain = _both(tmp_path, text.replace(during, "").replace("g.play(0)", ""), vectors=("vs",))[1]["vs"]
        assert np.max(np.abs(plain - ref["vs"])) > 0.1


@pytest.mark.neuron
@pytest.mark.parametrize("play", ["g.play(&stim.amp, tg)", "g.play(&stim.amp, 3)", ""])
def test_play_index_without_a_statement_does_nothing_as_in_neuron(tmp_path, play):
    """A `&var` play's play(index) and a Vector without a play: NEURON does nothing (only a statement plays one)."""
    text = RUN.replace("PLAY", play).replace("BEFORE", "g.play(2)").replace("DURING", "g.play(3)")
    theirs, ref, ours, vecs, _ = _both(tmp_path, text)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def _load(tmp_path, text: str) -> None:
    (tmp_path / "model.hoc").write_text(text)
    HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")


def test_play_index_out_of_range_is_an_error_naming_the_line(tmp_path):
    text = RUN.replace("PLAY", 'g.play("stim.amp", 3)').replace("BEFORE", "g.play(4)").replace("DURING", "")
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*out of range"):
        _load(tmp_path, text)


def test_play_index_of_a_continuous_play_is_refused(tmp_path):
    text = RUN.replace("PLAY", 'g.play("stim.amp", tg, 1)').replace("BEFORE", "g.play(1)").replace("DURING", "")
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*play\(index\) is not supported"):
        _load(tmp_path, text)
