"""A NetCon's delay, threshold or active() changed, or a NetCon made, after finitialize() while the run goes on:
NEURON uses the change from then on; bridge's compiled run holds the network fixed (weights excepted: tested
against NEURON in test_netcon_neuron.py), so it refuses, saying what changed, where HOC reads the run next.
Before, the refusal said that sections or mechanisms had changed."""

from __future__ import annotations

import io

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession

MODEL = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref ns, syn, nc, nc2, vs
ns = new NetStim()
ns.start = 1
ns.number = 5
ns.interval = 2
soma syn = new ExpSyn(0.5)
nc = new NetCon(ns, syn)
nc.weight = 0.01
vs = new Vector()
vs.record(&soma.v(0.5))
tstop = 10
stdinit()
continuerun(4)
CHANGE
continuerun(10)
x = vs.x[300]
"""


@pytest.mark.parametrize("change", ["nc.active(0)", "nc.delay = 3", "soma nc2 = new NetCon(&v(0.5), nil)"])
def test_a_network_change_during_a_run_is_refused_by_name(tmp_path, change):
    path = tmp_path / "model.hoc"
    path.write_text(MODEL.replace("CHANGE", change))
    with pytest.raises(BridgeError) as err:
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(path)
    text = str(err.value)
    assert "model.hoc:20" in text and "bridge's compiled run holds the network fixed" in text, text


def test_a_weight_change_during_a_run_runs(tmp_path):
    path = tmp_path / "model.hoc"
    path.write_text(MODEL.replace("CHANGE", "nc.weight = 0.02"))
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    hoc.load_file(path)
    assert -90 < hoc.x < 60
