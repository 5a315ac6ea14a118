"""NEURON's built-in APCount (bridge/mechanisms/builtin/apcount.mod) from HOC, against real NEURON 9.0.2:
the count n and the last crossing's time, read after a run, and the membrane trace."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_live_run import ATOL, _both, _same_output  # noqa: E402

TRAIN = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh }
objref stims[4], a20, a0, vs, tv
for i = 0, 3 soma {
    stims[i] = new IClamp(0.5)
    stims[i].del = 1 + 6*i
    stims[i].dur = 1
    stims[i].amp = 0.8 + 0.1*i
}
soma a20 = new APCount(0.5)
soma a0 = new APCount(0.5)
a0.thresh = 0
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
printf("before %g %g %g\\n", a20.n, a20.thresh, a0.thresh)
tstop = 30
run()
printf("n %g %g time %.17g %.17g firing %g %g\\n", a20.n, a0.n, a20.time, a0.time, a20.firing, a0.firing)
stims[0].del = 33
a0.thresh = -30
continuerun(40)
printf("n %g %g time %.17g %.17g\\n", a20.n, a0.n, a20.time, a0.time)
"""


@pytest.mark.neuron
def test_apcount_counts_as_neuron(tmp_path):
    theirs, ref, ours_out, ours, _ = _both(tmp_path, TRAIN, ("vs", "tv"))
    _same_output(theirs, ours_out)
    counts = [ln.split() for ln in theirs if ln.startswith("n ")]
    assert float(counts[0][1]) >= 3 and float(counts[1][1]) > float(counts[0][1])  # counts, not zeros, compared
    for name in ("vs", "tv"):
        assert len(ref[name]) == len(ours[name])
        assert np.max(np.abs(ref[name] - ours[name])) <= ATOL


RECORD = TRAIN.replace("tstop = 30", """objref r20, r0, nc, rn, nil
r20 = new Vector()
r0 = new Vector(5)
a20.record(r20)
a0.record(r0)
soma nc = new NetCon(&v(0.5), nil)
nc.threshold = 0
rn = new Vector()
nc.record(rn)
tstop = 30""").replace("a0.thresh = -30\n", "")


@pytest.mark.neuron
def test_apcount_record_as_neuron(tmp_path):
    """apc.record(vec): each crossing's t, as NEURON's apcount.mod appends it; a NetCon at the same place and
    threshold records the same times."""
    names = ("vs", "tv", "r20", "r0", "rn")
    theirs, ref, ours_out, ours, _ = _both(tmp_path, RECORD, names)
    _same_output(theirs, ours_out)
    assert len(ref["r20"]) >= 4
    for name in names:
        assert len(ref[name]) == len(ours[name]), name
        assert np.max(np.abs(ref[name] - ours[name])) <= ATOL, name
    for name in ("r20", "r0"):  # apcount.mod appends t itself, not NetCon's t + 1e-10: round-off only
        assert np.max(np.abs(ref[name] - ours[name])) <= 1e-12, name
    assert np.min(ref["rn"] - ref["r0"]) > 5e-11  # NetCon's record is the one 1e-10 later


TIME = TRAIN.replace("tstop = 30", """a20.time = 1e7
a20.n = 5
printf("assigned n %g time %g, a0 time %g\\n", a20.n, a20.time, a0.time)
tstop = 30""").replace("stims[0].del = 33", """stims[0].del = 33
while (a20.firing == 0 && t < 36) { fadvance() }
printf("firing at %.17g: n %g time %.17g\\n", t, a20.n, a20.time)
a20.time = 1e7""")


@pytest.mark.neuron
def test_apcount_time_assigned_as_neuron(tmp_path):
    """n and time are PARAMETERs HOC may assign (a model sets apc.time = 1e7 before its run): INITIAL resets n,
    not time, and firing goes back to 0 only once t > time, so a time assigned during a spike stops the count."""
    theirs, ref, ours_out, ours, _ = _both(tmp_path, TIME, ("vs", "tv"))
    _same_output(theirs, ours_out)
    final = [ln.split() for ln in theirs if ln.startswith("n ")][-1]
    # the time assigned mid-spike is kept: no crossing after it was counted
    assert final[4] == "10000000" and final[1] == final[2]
    for name in ("vs", "tv"):
        assert len(ref[name]) == len(ours[name])
        assert np.max(np.abs(ref[name] - ours[name])) <= ATOL
