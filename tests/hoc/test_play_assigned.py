"""`vec.play` into v and into a STATE against NEURON 9.0.2 (src/nrnoc/fadvance.cpp `nrn_fixed_step_thread`,
`nrn_fixed_step_lastpart`; src/nrniv/vrecord.cpp `VecPlayStep::deliver`, `VecPlayContinuous::continuous`): the play
assigns the variable in place, which the step then moves on: a discrete value when its event is delivered (at
the step's start, before the currents, or after the step's recording), a continuous one at t + dt/2 before the
currents and at t + dt after the voltage update, before the state update (`bridge.hoc.play._assigned_step`,
`bridge.solver.stepper.assign_played`). Each timing form, v of a soma and of a dendrite segment (the voltage clamp
by play), hh's m and a point process STATE (ExpSyn's g)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

PLAYS = CELL + """
soma stim.del = 0.5
stim.dur = 1e9
stim.amp = 0.1
objref y, ty, m, g, syn, vm
syn = new ExpSyn(0.5)
syn.e = 0
syn.tau = 2
y = new Vector(41)
ty = new Vector(41)
m = new Vector(41)
g = new Vector(41)
for i = 0, 40 {
    y.x[i] = -65 + 40*sin(i/4)  ty.x[i] = i*0.25 + 0.0125  m.x[i] = 0.5 + 0.45*sin(i/3)  g.x[i] = 0.002*(1 + sin(i/2))
}
vm = new Vector()
vm.record(&soma.m_hh(0.5))
PLAY
tstop = 10
proc show() {
    printf("t %.17g v %.17g m %.17g h %.17g dv %.17g g %.17g\\n", t, soma.v(0.5), soma.m_hh(0.5), soma.h_hh(0.5), \\
           dend.v(0.3), syn.g)
}
run()
show()
run()
show()
"""

FORMS = {
    "v dt": "y.play(&soma.v(0.5), 0.25)",
    "v tvec": "y.play(&soma.v(0.5), ty)",
    "v continuous": "y.play(&soma.v(0.5), ty, 1)",
    "v dendrite continuous": "y.play(&dend.v(0.3), ty, 1)",
    "v statement": 'y.play("soma.v(0.5) = $1", ty)',
    "m dt": "m.play(&soma.m_hh(0.5), 0.25)",
    "m tvec": "m.play(&soma.m_hh(0.5), ty)",
    "m continuous": "m.play(&soma.m_hh(0.5), ty, 1)",
    "g dt": "g.play(&syn.g, 0.25)",
    "g continuous": "g.play(&syn.g, ty, 1)",
}


@pytest.mark.neuron
@pytest.mark.parametrize("form", sorted(FORMS))
def test_play_into_v_or_a_state_matches_neuron(tmp_path, form):
    vectors = ("vs", "vd", "tv", "vm")
    theirs, ref, ours, vecs, _ = _both(tmp_path, PLAYS.replace("PLAY", FORMS[form]), vectors=vectors)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    plain = _both(tmp_path, PLAYS.replace("PLAY", ""), vectors=("vs", "vd"))[1]
    assert max(np.max(np.abs(plain[k] - ref[k])) for k in plain) > 0.1  # the play changed the run


def test_finitialize_without_v_while_v_is_played_from_zero_is_refused(tmp_path):
    (tmp_path / "model.hoc").write_text(PLAYS.replace("PLAY", "y.play(&soma.v(0.5), 0.25)")
                                        .replace("run()\nshow()\nrun()\nshow()", "finitialize()\nfadvance()\nshow()"))
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*finitialize\(\) without v while a Vector plays into soma"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")


@pytest.mark.neuron
@pytest.mark.parametrize("form", ["v continuous", "m dt"])
def test_play_remove_during_the_run_leaves_the_variable_to_the_model_as_in_neuron(tmp_path, form):
    """play_remove() between pieces of a run, after the play's last event (NEURON 9.0.2 crashes when one is still
    queued): the variable keeps what the play and the step last made of it."""
    text = PLAYS.replace("PLAY", "y.resize(9)\nty.resize(9)\nm.resize(9)\n" + FORMS[form]).replace(
        "run()\nshow()\nrun()\nshow()", "stdinit()\ncontinuerun(4.01)\nshow()\ny.play_remove()\nm.play_remove()\n"
        "continuerun(10)\nshow()")
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors=("vs", "vd", "tv", "vm"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_play_into_v_in_a_run_with_netcons_is_refused(tmp_path):
    text = PLAYS.replace("PLAY", FORMS["v dt"] + "\nobjref ns, nc\nns = new NetStim()\nnc = new NetCon(ns, syn)")
    (tmp_path / "model.hoc").write_text(text)
    with pytest.raises(BridgeError, match=r"Vector.play into v or a STATE in a run with NetCons"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")


KINETIC_MOD = Path(__file__).parent / "play_kinetic_mod"


@pytest.mark.neuron
@pytest.mark.parametrize("play", ["m.play(&soma.o_kch(0.5), 0.25)", "m.play(&soma.o_kch(0.5), ty, 1)",
                                  "y.play(&soma.v(0.5), ty, 1)\nsecondorder = 2"])
def test_play_into_a_kinetic_state_and_with_crank_nicolson_matches_neuron(tmp_path, play):
    """A STATE of a KINETIC scheme with CONSERVE (sparse), and v played with secondorder = 2."""
    text = PLAYS.replace("insert hh }", "insert hh  insert kch }").replace("PLAY", play)
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors=("vs", "vd", "tv", "vm"), mod_dir=KINETIC_MOD)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    plain = _both(tmp_path, text.replace(play, ""), vectors=("vs",), mod_dir=KINETIC_MOD)[1]["vs"]
    assert np.max(np.abs(plain - ref["vs"])) > 0.1  # the play changed the run
