"""An ARTIFICIAL_CELL's ASSIGNED variables read and assigned from HOC (ModelDB 115357: IntFire4r's `m`, `e`, set
right after finitialize() by the model's own init()): the next NET_RECEIVE sees HOC's value, an ASSIGNED no code
assigns first keeps HOC's value through finitialize(), and HOC reads the run's values back. Compared with NEURON 9
running the same files (.mod written for this test): the spike times and the printed values."""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

LEAKY = """
NEURON { ARTIFICIAL_CELL Leaky  RANGE tau, m, bias }
PARAMETER { tau = 5 (ms) }
ASSIGNED { m  bias  t0 (ms) }
INITIAL {
    m = 0
    t0 = t
}
NET_RECEIVE (w) {
    m = m*exp(-(t - t0)/tau)
    t0 = t
    if (flag == 0) {
        m = m + w + bias
        if (m > 1) {
            net_event(t)
            m = 0
        }
    }
}
"""

RUNS = """
objref ns, c1, nc, nc2, sp, nil
ns = new NetStim()
ns.start = 1
ns.interval = 2
ns.number = 20
c1 = new Leaky()
c1.bias = 0.05
nc = new NetCon(ns, c1, 0, 1, 0.3)
sp = new Vector()
nc2 = new NetCon(c1, nil)
nc2.record(sp)
tstop = 30
x = printf("before %.17g %.17g\\n", c1.m, c1.bias)
finitialize(-65)
c1.m = 0.9
x = printf("init %.17g %.17g\\n", c1.m, c1.bias)
continuerun(10)
x = printf("t10 %.17g %.17g\\n", c1.m, c1.bias)
c1.m = 0.5
c1.bias = 0.1
continuerun(30)
x = printf("t30 %.17g %.17g %d\\n", c1.m, c1.bias, sp.size())
run()
x = printf("rerun %.17g %.17g %d\\n", c1.m, c1.bias, sp.size())
"""


@pytest.mark.neuron
def test_an_artificial_cells_assigned_set_from_hoc_as_in_neuron(tmp_path):
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "leaky.mod").write_text(LEAKY)
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + RUNS, vectors=("vs", "tv", "sp"), mod_dir=mods)
    print("\n".join(theirs))
    assert next(ln for ln in theirs if ln.startswith("init")).split()[1] == "0.90000000000000002"
    assert len(ref["sp"]) >= 2
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)  # the spike times to 1e-9 ms
