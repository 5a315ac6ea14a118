"""A point process's RANGE ASSIGNED array set from HOC (ModelDB 113997's ipulse3.mod: `curr.amp[i] = -0.3`, read
by NET_RECEIVE as `amp[pcount]`): before finitialize(), between runs and during a run; NEURON keeps what HOC wrote
(INITIAL does not assign it). Printed to 17 digits and compared with NEURON 9 running the same files (.mod written
for this test). Also an array the code writes at an index known only during the run (113997's APCounter2.mod:
`times[n] = t`), read back from HOC."""

from __future__ import annotations

import pytest

from bridge.errors import HocError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

PTRAIN = """
NEURON { POINT_PROCESS Ptrain  RANGE del, dur, per, num, amp, i, k  ELECTRODE_CURRENT i }
PARAMETER { del = 1 (ms)  dur = 0.5 (ms)  per = 1.5 (ms)  num = 3 }
ASSIGNED { amp[5]  ival (nA)  i (nA)  on  tally  k }
INITIAL {
    k = 0
    i = 0
    ival = 0
    tally = num
    if (tally > 0) {
        net_send(del, 1)
        on = 0
        tally = tally - 1
    }
}
BREAKPOINT { i = ival }
NET_RECEIVE (w) {
    if (flag == 1) {
        if (on == 0) {
            ival = amp[k]
            k = k + 1
            on = 1
            net_send(dur, 1)
        } else {
            ival = 0
            on = 0
            if (tally > 0) {
                net_send(per - dur, 1)
                tally = tally - 1
            }
        }
    }
}
"""

SPKREC = """
NEURON { POINT_PROCESS Spkrec  RANGE n, thresh, times, isi }
DEFINE MAXAP 6
PARAMETER { n  thresh = 0 (mV) }
ASSIGNED { v (mV)  firing  times[MAXAP] (ms)  isi (ms) }
INITIAL {
    n = 0
    firing = 0
    isi = 0
    check()
}
BREAKPOINT { SOLVE check }
PROCEDURE check() {
    if (v >= thresh && !firing) {
        firing = 1
        times[n] = t
        n = n + 1
        if (n > 1) { isi = t - times[n-2] }
    }
    if (firing && v < thresh) { firing = 0 }
}
"""

RUNS = """
objref pt
soma pt = new Ptrain(0.5)
for i = 0, 4 pt.amp[i] = 0.1*(i + 1)
tstop = 6
proc show() {
    printf("%s %.17g %.17g %.17g %.17g %.17g\\n", $s1, t, pt.amp[1], pt.amp[2], pt.k, soma.v(0.5))
}
show("before")
run()
show("run1")
pt.amp[1] = -0.2
run()
show("run2")
finitialize(-65)
continuerun(2)
pt.amp[2] = 0.9
show("set")
continuerun(6)
show("end")
"""


def _mods(tmp_path):
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "ptrain.mod").write_text(PTRAIN)
    (mods / "spkrec.mod").write_text(SPKREC)
    return mods


@pytest.mark.neuron
def test_a_point_process_array_set_from_hoc_as_in_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + RUNS, mod_dir=_mods(tmp_path))
    print("\n".join(theirs))
    assert next(ln for ln in theirs if ln.startswith("end")).split()[3] == "0.90000000000000002"
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_an_index_out_of_range_is_an_error(tmp_path):
    path = tmp_path / "m.hoc"
    path.write_text("create soma\nobjref pt\nsoma pt = new Ptrain(0.5)\npt.amp[5] = 1\n")
    with pytest.raises(HocError, match=r"Ptrain.amp\[5\]: subscript out of range"):
        HocSession(_mods(tmp_path), cwd=tmp_path).load_file(path)


SPIKES = """
objref ap, pt
soma ap = new Spkrec(0.5)
soma pt = new Ptrain(0.5)
pt.del = 1
pt.dur = 1
pt.per = 5
pt.num = 4
for i = 0, 3 pt.amp[i] = 1
stim.amp = 0
tstop = 20
run()
x = printf("spikes %g %.17g %.17g %.17g %.17g\\n", ap.n, ap.times[0], ap.times[1], ap.times[2], ap.isi)
"""


@pytest.mark.neuron
def test_an_array_written_at_a_run_time_index_as_in_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + SPIKES, mod_dir=_mods(tmp_path))
    print("\n".join(theirs))
    spikes = next(ln for ln in theirs if ln.startswith("spikes")).split()
    assert float(spikes[1]) >= 2 and float(spikes[3]) > float(spikes[2])  # times[n] = t at n = 0, 1, ...
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
