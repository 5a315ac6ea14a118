"""Many events due at one time with no EventSettings given (a HOC model, as validation and the live run
build it): the buffers are sized from the network (`bridge.solver.event_plan.sized_settings`), so 40
NetStims starting together run as in NEURON; with the fixed defaults (16 deliveries at one time) bridge
stopped on an overflow (ModelDB 106551: 33 NetStims at t = 0)."""

from __future__ import annotations

import pytest

CELL = """load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref stims[40], ncs[40], syn
soma syn = new ExpSyn(0.5)
syn.tau = 3
for i = 0, 39 {
    stims[i] = new NetStim()
    stims[i].start = 0
    stims[i].interval = 4 + i % 3
    stims[i].number = 3
    stims[i].noise = 0
    ncs[i] = new NetCon(stims[i], syn)
    ncs[i].weight = 0.0004
    ncs[i].delay = 1
}
tstop = 25
"""


@pytest.mark.neuron
def test_forty_sources_firing_together_match_neuron(tmp_path):
    from bridge.testing import assert_matches_neuron

    (tmp_path / "cell.hoc").write_text(CELL)
    assert_matches_neuron(tmp_path / "cell.hoc", {"tstop": 25.0}, atol=1e-9)
