"""`Vector.play` into a variable a NET_RECEIVE block or a WATCH reads, in a run with NetCons, against NEURON 9.0.2.

NEURON queues a discrete play's values on the NetCon event queue (src/nrniv/vrecord.cpp `VecPlayStep::deliver`),
so which value a NET_RECEIVE sees at a time shared by a play event and a NetCon event follows the queue's order
of equal times (first in, first out, the least item apart: a NetCon event at 1.25 inserted before the play's
1.25 event was demoted behind it sees the old value). bridge queues those plays (`bridge.hoc.play_events`,
`bridge.solver.event_play`). The synapse here adds `w*gmax` to its conductance and keeps the `gmax` it saw
(`seen`), so a value taken one event early or late moves g by a played step, far above round-off. NetStim
intervals and delays are binary fractions, so the play's events and the NetCon events fall at equal times.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

GSYN = """
NEURON {
    POINT_PROCESS GSyn
    RANGE gmax, tau, e, g, i, seen, thresh
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { gmax = 1  tau = 2 (ms)  e = 0 (mV)  thresh = 1000 (mV) }
ASSIGNED { v (mV) i (nA) seen }
STATE { g (uS) }
INITIAL { g = 0  seen = 0  net_send(0, 2) }
BREAKPOINT { SOLVE state METHOD cnexp  i = g*(v - e) }
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(w (uS)) {
    if (flag == 0) {
        g = g + w*gmax
        seen = gmax
    } else if (flag == 2) {
        WATCH (v > thresh) 3
    } else if (flag == 3) {
        seen = -thresh
        g = g + 0.0005
    }
}
"""

NETWORK = CELL + """
soma stim.del = 0
stim.dur = 0
objref ns, ns2, syn, nc1, nc2, nc3, spk, nil, rec, gv, sv, y, ty
ns = new NetStim()
ns.start = 1
ns.interval = 0.5
ns.number = 30
ns2 = new NetStim()
ns2.start = 0.75
ns2.interval = 1.25
ns2.number = 10
soma syn = new GSyn(0.5)
nc1 = new NetCon(ns, syn, 0, 0.25, 0.0001)
nc2 = new NetCon(ns, syn, 0, 0, 0.0002)
nc3 = new NetCon(ns2, syn, 0, 1, 0.00005)
soma spk = new NetCon(&v(0.5), nil, -20, 0, 0)
rec = new Vector()
spk.record(rec)
gv = new Vector()
gv.record(&syn.g)
sv = new Vector()
sv.record(&syn.seen)
y = new Vector(80)
for i = 0, 79 y.x[i] = 1 + (i % 7)
ty = new Vector(80)
for i = 0, 79 ty.x[i] = 0.5 + i*0.125
PLAY
tstop = 16
RUN
printf("t %.17g v %.17g g %.17g seen %.17g\\n", t, soma.v(0.5), syn.g, syn.seen)
for i = 0, rec.size() - 1 printf("spike %.17g\\n", rec.x[i])
"""

FORMS = {
    "dt": "y.play(&syn.gmax, 0.25)",
    "tvec": "y.play(&syn.gmax, ty)",
    "statement": 'y.play("syn.gmax = $1", 0.25)',
    # a play no block reads beside it: its events, on NEURON's queue too, decide where equal-time items go
    "beside_stimulus": "objref amp\namp = new Vector(100, 0)\namp.play(&stim.amp, 0.3)\ny.play(&syn.gmax, 0.25)",
    "watch": "y.play(&syn.gmax, 0.25)\nobjref th\nth = new Vector(40)\nfor i = 0, 39 th.x[i] = -60 + 40*(i % 2)\n"
             "th.play(&syn.thresh, 0.5)",
}
VECTORS = ("vs", "vd", "tv", "gv", "sv")


def _mod(tmp_path):
    mod = tmp_path / "mod"
    mod.mkdir(exist_ok=True)
    (mod / "gsyn.mod").write_text(GSYN)
    return mod


@pytest.mark.neuron
@pytest.mark.parametrize("form", sorted(FORMS))
def test_played_parameter_read_by_net_receive_matches_neuron(tmp_path, form):
    text = NETWORK.replace("PLAY", FORMS[form]).replace("RUN", "run()")
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, VECTORS, mod_dir=_mod(tmp_path))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert any(ln.startswith("spike") for ln in theirs)  # the cell fires
    assert len(set(np.round(ref["sv"], 9))) > 4  # NET_RECEIVE saw several played values
    if form == "watch":
        assert {20.0, 60.0} <= set(np.round(ref["sv"], 9))  # the WATCH fired at both played thresholds


STEPPED = """stdinit()
while (t < 3.1) fadvance()
continuerun(7.5)
continuerun(tstop)"""


@pytest.mark.neuron
def test_played_parameter_read_by_net_receive_across_pieces_matches_neuron(tmp_path):
    text = NETWORK.replace("PLAY", FORMS["dt"]).replace("RUN", STEPPED)
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, VECTORS, mod_dir=_mod(tmp_path))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_play_remove_of_a_queued_play_is_refused(tmp_path):
    """NEURON 9.0.2 crashes at the next continuerun after play_remove() of a play with an event queued."""
    text = NETWORK.replace("PLAY", FORMS["dt"]).replace("RUN", "stdinit()\ncontinuerun(2)\ny.play_remove()\n"
                                                           "continuerun(4)")
    (tmp_path / "model.hoc").write_text(text)
    hoc = HocSession(_mod(tmp_path), cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*play_remove\(\) of a Vector whose play is on the event"):
        hoc.load_file(tmp_path / "model.hoc")


NONLINEAR = GSYN.replace("g = g + w*gmax", "g = 0.5*g + w*gmax")  # the order of equal-time events moves g


@pytest.mark.neuron
@pytest.mark.parametrize("play", ["amp.play(&stim.amp, 0.3)", "amp.play(&stim.amp, ta, 1)"])
def test_equal_time_netcon_events_beside_a_play_no_block_reads_match_neuron(tmp_path, play):
    """A play into IClamp.amp (no NET_RECEIVE reads it), discrete or continuous: its events on NEURON's queue
    decide the order in which NetCon events at one time reach a synapse whose NET_RECEIVE is not linear in them
    (off by 0.035 mV while bridge left the play's events off its queue)."""
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "gsyn.mod").write_text(NONLINEAR)
    stim = "objref amp, ta\namp = new Vector(100, 0)\nta = new Vector(100)\nta.indgen(0.3)\n" + play
    text = NETWORK.replace("PLAY", stim).replace("RUN", "run()")
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, VECTORS, mod_dir=mod)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
