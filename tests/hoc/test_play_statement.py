"""`vec.play("stmt", ...)`, NEURON's statement form (src/ivoc/ocpointer.cpp `StmtInfo`: `$1` becomes hoc_ac_, a
statement without it gets `=hoc_ac_`), against NEURON 9.0.2: an assignment of the value to one variable runs as
the `&var` form, in each timing form, named at top level (a procedure's local of the same name does not count);
other statements and a read of hoc_ac_ during the play are refused naming file:line (`bridge.hoc.play_statement`)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

PLAYS = CELL + """
soma stim.del = 0
stim.dur = 1e9
objref amp, tamp, g, pp
pp = stim
amp = new Vector(60)
tamp = new Vector(60)
for i = 0, 59 { amp.x[i] = 0.15*sin(i/5) + 0.05  tamp.x[i] = i*0.1 + 0.0125 }
g = new Vector(4)
g.x[0] = 0.12
g.x[1] = 0.06
g.x[2] = 0.2
g.x[3] = 0.1
proc start() { local stim  // NEURON names the statement's variables at top level
    PLAY
}
start()
tstop = 6
proc show() {
    printf("t %.17g v %.17g m %.17g\\n", t, soma.v(0.5), soma.m_hh(0.5))
}
run()
show()
"""

FORMS = {
    "dt": 'amp.play("stim.amp", 0.1)',
    "tvec": 'amp.play("stim.amp = $1", tamp)',
    "continuous": 'amp.play(pp, "stim.amp=$1", tamp, 1)',
    "range": 'g.play("soma.gnabar_hh(0.5) = $1", 1.3)',
}


@pytest.mark.neuron
@pytest.mark.parametrize("form", sorted(FORMS))
def test_statement_play_matches_neuron(tmp_path, form):
    theirs, ref, ours, vecs, _ = _both(tmp_path, PLAYS.replace("PLAY", FORMS[form]))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    plain = _both(tmp_path, PLAYS.replace("PLAY", ""), vectors=("vs",))[1]["vs"]
    assert np.max(np.abs(plain - ref["vs"])) > 0.1  # the play changed the run


def _load(tmp_path, text: str) -> None:
    (tmp_path / "model.hoc").write_text(text)
    HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")


@pytest.mark.parametrize("stmt", ["stim.amp = 2*$1", "{stim.amp = $1  stim.del = 0}", "sin($1)",
                                  "stim.amp += $1"])
def test_other_statements_are_refused_naming_the_line(tmp_path, stmt):
    text = PLAYS.replace("PLAY", f'amp.play("{stmt}", 0.1)')
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*Vector.play\(.* is not supported"):
        _load(tmp_path, text)


@pytest.mark.parametrize("stmt, message", [("undefined_name = $1", "undefined_name is not defined"),
                                           ("plain", "into a plain HOC variable is not supported")])
def test_statements_into_what_bridge_does_not_play_are_refused(tmp_path, stmt, message):
    text = PLAYS.replace("PLAY", f'amp.play("{stmt}", 0.1)').replace("proc start", "plain = 1\nproc start")
    with pytest.raises(BridgeError, match=rf"model.hoc:\d+.*Vector.play with a statement.*{message}"):
        _load(tmp_path, text)


def test_reading_hoc_ac_during_a_statement_play_is_refused(tmp_path):
    text = PLAYS.replace("PLAY", FORMS["dt"]) + "x = hoc_ac_\n"
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*hoc_ac_ is read while a Vector plays a statement"):
        _load(tmp_path, text)


def test_hoc_ac_after_a_statement_play_is_refused_until_hoc_sets_it(tmp_path):
    """NEURON leaves the last played value in hoc_ac_ (after play_remove() too, and in a later run without the
    statement play); once HOC assigns it, it is HOC's again."""
    text = PLAYS.replace("PLAY", FORMS["dt"]) + "amp.play_remove()\nrun()\nx = hoc_ac_\n"
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*hoc_ac_ is read after a Vector played a statement"):
        _load(tmp_path, text)
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    hoc(PLAYS.replace("PLAY", FORMS["dt"]) + "amp.play_remove()\nhoc_ac_ = 3\nrun()\nx = hoc_ac_\n")
    assert hoc.x == 3


def test_a_statement_naming_another_variable_at_finitialize_is_refused(tmp_path):
    text = PLAYS.replace("PLAY", FORMS["dt"]).replace("run()\nshow()", "soma stim = new IClamp(0.3)\nrun()")
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*it now names IClamp\[1\].amp, not IClamp\[0\].amp"):
        _load(tmp_path, text)
