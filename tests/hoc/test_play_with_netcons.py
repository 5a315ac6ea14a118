"""`Vector.play` in a HOC run with NetCons, against NEURON 9.0.2: a stimulus Vector played into IClamp.amp
(dt form, time Vector discrete and continuous) while NetStims drive ExpSyns on an hh cell whose own spikes a
NetCon records. NEURON queues the discrete play's values on the NetCon event queue (src/nrniv/vrecord.cpp
`VecPlayStep::deliver`); the NetStim intervals here put NetCon events at the same times as play events. A play
into a variable a NET_RECEIVE block may read (a synapse's parameter, celsius) is refused by name
(`bridge.hoc.play_events`)."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.errors import BridgeError
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

NETWORK = CELL + """
soma stim.del = 0
stim.dur = 1e9
objref ns1, ns2, syn1, syn2, nc1, nc2, spk, nil, rec, amp, tamp
ns1 = new NetStim()
ns1.start = 1
ns1.interval = 2.5
ns1.number = 8
ns2 = new NetStim()
ns2.start = 0.5
ns2.interval = 3
ns2.number = 6
ns2.noise = 0.5
soma syn1 = new ExpSyn(0.5)
syn1.tau = 2
dend syn2 = new ExpSyn(0.8)
syn2.tau = 4
syn2.e = -80
nc1 = new NetCon(ns1, syn1, 0, 0.5, 0.004)
nc2 = new NetCon(ns2, syn2, 0, 1, 0.003)
objref nc3
nc3 = new NetCon(ns1, syn2, 0, 0, 0.001)
soma spk = new NetCon(&v(0.5), nil, -20, 0, 0)
rec = new Vector()
spk.record(rec)
amp = new Vector(200)
for i = 0, 199 amp.x[i] = 0.12*sin(i/9) + 0.02
tamp = new Vector(200)
for i = 0, 199 tamp.x[i] = i*0.25
PLAY
tstop = 20
run()
proc show() { local i
    printf("t %.17g v %.17g m %.17g g1 %.17g g2 %.17g\\n", t, soma.v(0.5), soma.m_hh(0.5), syn1.g, syn2.g)
    for i = 0, rec.size() - 1 printf("spike %.17g\\n", rec.x[i])
}
show()
"""

FORMS = {
    "dt": "amp.play(&stim.amp, 0.25)",
    "tvec": "amp.play(&stim.amp, tamp)",
    "continuous": "amp.play(&stim.amp, tamp, 1)",
    "point_dt": "amp.play(stim, &stim.amp, 0.1)",
}


@pytest.mark.neuron
@pytest.mark.parametrize("form", sorted(FORMS))
def test_play_beside_netstim_driven_synapses_matches_neuron(tmp_path, form):
    theirs, ref, ours, vecs, _ = _both(tmp_path, NETWORK.replace("PLAY", FORMS[form]))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert any(ln.startswith("spike") for ln in theirs)  # the cell fires
    plain = _both(tmp_path, NETWORK.replace("PLAY", ""), vectors=("vs",))[1]["vs"]
    assert np.max(np.abs(plain - ref["vs"])) > 1.0  # the play changed the run


STEPPED = NETWORK.replace("run()", """stdinit()
while (t < 6) fadvance()
continuerun(12)
continuerun(tstop)""")


@pytest.mark.neuron
@pytest.mark.parametrize("form", ["dt", "continuous"])
def test_play_with_netcons_across_pieces_matches_neuron(tmp_path, form):
    """fadvance() steps and continuerun() pieces (play_remove() while a play's event is queued is left out:
    NEURON 9.0.2 then crashes with a segmentation fault at the next continuerun, NetCons or not)."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, STEPPED.replace("PLAY", FORMS[form]))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
@pytest.mark.parametrize("play", ["tau.play(&syn1.tau, 0.5)", "tau.play(&celsius, 0.5)"])
def test_play_into_a_receiver_variable_matches_neuron(tmp_path, play):
    """A discrete play into a variable of a mechanism with NET_RECEIVE, or into celsius: its events go on the
    queue (bridge.solver.event_play; tests/hoc/test_play_read_by_events.py has a block that reads it)."""
    text = NETWORK.replace("PLAY", "objref tau\ntau = new Vector(5)\ntau.indgen(2, 1)\n" + play)
    theirs, ref, ours, vecs, _ = _both(tmp_path, text)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_continuous_play_read_by_net_receive_is_refused(tmp_path):
    text = NETWORK.replace("PLAY", "amp.play(&syn1.tau, tamp, 1)")
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*Vector.play into .* continuous mode in a run with NetCons"):
        _both(tmp_path, text)


@pytest.mark.neuron
def test_played_table_global_beside_netcons_matches_neuron(tmp_path):
    """A played GLOBAL a TABLE DEPENDs on (the TABLE rebuilt at each step's start) with a NetStim driving an ExpSyn
    on the same cell: the events run with the TABLEs of the step."""
    from tests.hoc.test_table_depend_changes import TABLED_CELL, TABLED_MOD

    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "tabk.mod").write_text(TABLED_MOD)
    theirs, ref, ours, vecs, _ = _both(tmp_path, TABLED_CELL + """
load_file("stdrun.hoc")
objref ns, syn, nc
ns = new NetStim()
ns.start = 1
ns.interval = 2
ns.number = 5
soma syn = new ExpSyn(0.5)
nc = new NetCon(ns, syn, 0, 1, 0.01)
tc = new Vector(3)
vh = new Vector(3)
tc.x[0] = 0
tc.x[1] = 4
tc.x[2] = 8.5
vh.x[0] = -40
vh.x[1] = -22
vh.x[2] = -58
vh.play(&vhalf_tabk, tc)
tstop = 12
run()
""", ("vs", "tv"), mod_dir=mod)
    _same_vectors(ref, vecs)
