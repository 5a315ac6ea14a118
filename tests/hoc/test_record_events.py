"""`Vector.record(&var, Dt)` and `Vector.record(&var, tvec)` as NEURON's record events (netcvode.cpp
`VecRecordDt`, `VecRecordDiscrete`; bridge.solver.record_events): the value of the step time nearest each
event time, never interpolated, events past the run's end not delivered. Our own HOC, run by NEURON 9 and by
bridge; values, counts and the recorded times compared (to 1e-9 mV; the times exactly)."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.solver.record_events import delivery_points, recorded_samples
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

RECORDS = CELL + """
soma stim.del = 1
stim.dur = 2
stim.amp = 0.3
objref r1, r2, r3, r4, r5, r6, r7, tr, tq
r1 = new Vector()
r1.record(&soma.v(0.5), 0.1)        // a multiple of dt
r2 = new Vector()
r2.record(&dend.v(0.7), 0.07)       // not a multiple: the nearest step, a tie to the earlier
r3 = new Vector()
r3.record(&t, 0.07)                 // &t with Dt: the event times themselves
r4 = new Vector()
r4.record(&soma.m_hh(0.5), 0.01)    // finer than dt: the same step's value several times
tq = new Vector()
tq.append(0, 0.3, 0.3125, 0.33, 1.0001, 2.5, 4.2, 100)   // the last after tstop: never delivered
r5 = new Vector()
r5.record(&soma.v(0.5), tq)
r6 = new Vector(1000)               // preallocated, as published models do: emptied at finitialize
r6.record(&stim.i, 0.2)
r7 = new Vector()
r7.record(stim, &t, 0.2)            // the point process form (NEURON uses it to find the thread)
"""


@pytest.mark.neuron
@pytest.mark.parametrize("dt", [0.025, 0.03])
def test_record_with_dt_or_time_vector_matches_neuron(tmp_path, dt):
    names = ("vs", "vd", "tv", "r1", "r2", "r3", "r4", "r5", "r6", "r7")
    theirs, ref, ours, vecs, hoc = _both(tmp_path, RECORDS + f"""
        dt = {dt}
        steps_per_ms = 1 / dt
        tstop = 4.5
        run()
        {{printf("sizes %d %d %d %d %d %d %d\\n", r1.size(), r2.size(), r3.size(), r4.size(), r5.size(), \\
                r6.size(), r7.size())}}
        tstop = 2        // a second, shorter run: the recordings start again
        run()
        {{printf("sizes %d %d %d %d %d %d\\n", r1.size(), r2.size(), r3.size(), r4.size(), r5.size(), r6.size())}}
    """, vectors=names)
    _same_output(theirs, ours)
    for name in ("r3", "r7"):
        assert np.array_equal(vecs[name], ref[name]), name  # the event times, to the bit
    # the second run (tstop 2): 0.1 added 20 times is 2.0000000000000004, past the last step at dt 0.025
    # (t = 2): not delivered; at dt 0.03 the last step ends at 2.01: delivered
    assert len(ref["r5"]) == 5 and len(ref["r1"]) == {0.025: 20, 0.03: 21}[dt]
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_fadvance_loop_and_a_record_read_during_the_run_match_neuron(tmp_path):
    """Read in the middle of an fadvance() loop: what was delivered so far (an event due at the next step's
    start is delivered then, with the values before that step)."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, RECORDS + """
        dt = 0.025
        finitialize(-65)
        for i = 1, 50 {
            fadvance()
            if (i % 7 == 0) {printf("%d %d %d %d %.17g\\n", i, r1.size(), r2.size(), r5.size(), r2.x[r2.size()-1])}
        }
    """, vectors=("vs", "vd", "tv", "r1", "r2", "r5"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_delivery_points_follow_the_fixed_step():
    """finitialize at 0, then per step (start + dt/2 with the values before it, the step's end with after)."""
    times = np.array([0.0, 0.1, 0.2])
    mids = np.array([np.nan, 0.05, 0.15])
    til, idx = delivery_points(times, mids)
    assert til.tolist() == [0.0, 0.05, 0.1, 0.15, 0.2] and idx.tolist() == [0, 0, 1, 1, 2]
    index, events = recorded_samples(times, mids, dt=0.04)
    assert events.tolist() == [0.0, 0.04, 0.08, 0.12, 0.16, 0.2] and index.tolist() == [0, 0, 1, 1, 2, 2]
    index, events = recorded_samples(times, mids, event_times=[0.05, 0.3, 0.1])
    assert index.tolist() == [0] and events.tolist() == [0.05]  # 0.3 never comes, so 0.1 is never sent


@pytest.mark.neuron
def test_events_at_a_step_start_read_what_hoc_changed_before_the_step(tmp_path):
    """An event due in the first half of a step is delivered at the step's start, after what HOC assigned
    between the fadvance() calls (a stimulus amplitude, v); after frecord_init() the first event waits for
    the next step."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + """
        objref ra, rv
        ra = new Vector()
        ra.record(&stim.amp, 0.01)
        rv = new Vector()
        rv.record(&soma.v(0.5), 0.01)
        dt = 0.025
        finitialize(-65)
        for i = 1, 40 {
            stim.amp = 0.01 * i
            if (i % 9 == 0) { soma.v(0.5) = -60 + i / 10 }
            fadvance()
        }
        {printf("%d %d\\n", ra.size(), rv.size())}
        t = 0
        frecord_init()
        {printf("after frecord_init %d %d\\n", ra.size(), rv.size())}
        for i = 1, 10 {
            stim.amp = -0.01 * i
            fadvance()
        }
        {printf("%d %d\\n", ra.size(), rv.size())}
    """, vectors=("vs", "vd", "tv", "ra", "rv"))
    assert any("after frecord_init 0 0" in ln for ln in theirs)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_vector_label_matches_neuron(tmp_path):
    """`vec.label("nA")` and reading it back (ModelDB 241169 labels its recording Vectors)."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + """
        objref lv
        strdef s
        lv = new Vector()
        {printf("[%s]\\n", lv.label())}
        {lv.label("nA")}
        soma s = secname()
        {vs.label(s)}
        {printf("[%s] [%s]\\n", lv.label(), vs.label())}
    """, vectors=())
    _same_output(theirs, ours)
    assert "[nA] [soma]" in ours


@pytest.mark.parametrize("call, match", [
    ("vx.record(&x, 0.1)", r"Vector.record\(&var, Dt or tvec\) of a HOC variable is not supported"),
    ("cvode.record(&x, vx, vt)", r"recording a HOC variable \(&var\) here is not supported"),
])
def test_recording_a_hoc_variable_other_than_each_step_is_refused(tmp_path, call, match):
    # Vector.record(&x) samples a HOC variable at each step (tests/hoc/data/record_hoc_variable.hoc against
    # NEURON); its record-event forms and CVode.record are refused, naming the construct and the line.
    from bridge import HocSession
    from bridge.errors import HocRefusal

    path = tmp_path / "rec.hoc"
    path.write_text(f'load_file("stdrun.hoc")\ncreate soma\nobjref vx, vt, cvode\nvx = new Vector()\n'
                    f"vt = new Vector()\ncvode = new CVode()\nx = 0\n{call}\n")
    with pytest.raises(HocRefusal, match="rec.hoc:8:.*" + match):
        HocSession().load_file(path)
