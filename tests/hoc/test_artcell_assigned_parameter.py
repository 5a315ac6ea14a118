"""An ARTIFICIAL_CELL's PARAMETER that its NET_RECEIVE assigns (a spike counter, `number = number - 1`, as
NetStim-like generators written in models do): NEURON keeps it in the instance's data, so HOC reads the run's value
after a run, the next run starts from it, and a HOC assignment between runs is what the next run counts from
(bridge.hoc.netcon `ArtificialCell._read/_assign`, bridge.hoc.artcell_values)."""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

CNT = """NEURON { ARTIFICIAL_CELL Cnt RANGE number, interval }
PARAMETER { number = 5 interval = 2 (ms) }
INITIAL { if (number > 0) { net_send(1, 1) } }
NET_RECEIVE (w) {
    if (flag == 1 && number > 0) {
        net_event(t)
        number = number - 1
        net_send(interval, 1)
    }
}
"""

MODEL = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert pas }
objref c, nc, nil, tvec, syn, nc2, vs, vd, tv
c = new Cnt()
tvec = new Vector()
nc = new NetCon(c, nil)
nc.record(tvec)
soma syn = new ExpSyn(0.5)
nc2 = new NetCon(c, syn)
nc2.weight = 0.01
vs = new Vector()
vd = new Vector()
tv = new Vector()
vs.record(&soma.v(0.5))
vd.record(&syn.g)
tv.record(&t)
tstop = 20
run()
printf("first %d %g\\n", tvec.size(), c.number)
run()
printf("second %d %g\\n", tvec.size(), c.number)
c.number = 3
run()
printf("third %d %g\\n", tvec.size(), c.number)
"""


@pytest.mark.neuron
def test_a_counter_parameter_carries_between_runs(tmp_path):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "cnt.mod").write_text(CNT)
    theirs, ref, ours, vecs, _ = _both(tmp_path, MODEL, mod_dir=mod)
    assert "first 5 0" in theirs and "second 0 0" in theirs and "third 3 0" in theirs, theirs  # NEURON's own
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


NETSTIM = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert pas }
objref ns, syn, nc, vs, vd, tv
tstop = 20
finitialize(-65)
ns = new NetStim()
ns.start = 1
ns.number = 10
ns.interval = 2
ns.noise = 0
printf("made after finitialize %g %g\\n", ns.noise, ns.interval)
soma syn = new ExpSyn(0.5)
nc = new NetCon(ns, syn)
nc.weight = 0.01
vs = new Vector()
vd = new Vector()
tv = new Vector()
vs.record(&soma.v(0.5))
vd.record(&syn.g)
tv.record(&t)
run()
printf("after the run %g %g\\n", ns.noise, ns.interval)
"""


@pytest.mark.neuron
def test_netstim_made_and_set_after_finitialize(tmp_path):
    """NetStim's INITIAL assigns `noise` (it clamps it to [0, 1]), but the run keeps it as a parameter. A NetStim
    made after a finitialize() and set before the next (ModelDB 147538's Fig2.hoc) is in no run yet: its
    parameters are set, not refused."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, NETSTIM)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
