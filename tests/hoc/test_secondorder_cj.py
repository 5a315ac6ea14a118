"""NEURON's cj follows secondorder only when it is recomputed (fadvance.cpp `dt2thread`): at finitialize(),
fcurrent(), frecord_init(), a changed dt or a t assigned by HOC. A model that sets `secondorder = 2` after
finitialize() (ModelDB 129149's template: `finitialize(-60)`, then `secondorder = 2` in its fadvance() loop)
steps its first run with cj = 1/dt and v += 2*delta, and its next runs with cj = 2/dt. Our own HOC, run by
NEURON 9 and by bridge, compared to 1e-9 mV."""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

LOOP = CELL + """
soma stim.del = 0.1
stim.dur = 1
stim.amp = 0.3
proc loop() { local i
    dt = $1
    finitialize(-60)
    for i = 1, 4 {
        while (t <= 0.5 * i) {
            secondorder = 2
            fadvance()
        }
        printf("%.17g %.17g %.17g\\n", t, soma.v(0.5), dend.v(0.3))
    }
}
"""


@pytest.mark.neuron
def test_secondorder_set_after_finitialize_keeps_the_old_cj_as_neuron(tmp_path):
    """Run 1: cj of secondorder 0 with secondorder 2's update (not Crank-Nicolson, v moves twice as far);
    run 2: Crank-Nicolson; run 3, a new dt: cj recomputed at once."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, LOOP + """
        loop(0.01)
        loop(0.01)
        secondorder = 0
        loop(0.02)
    """)
    rows = [ln for ln in theirs if ln[:1].isdigit()]
    assert len(rows) == 12
    first, second = rows[:4], rows[4:8]
    assert first != second  # the stale cj makes a difference NEURON shows
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_t_or_dt_assigned_or_fcurrent_recompute_the_cj_as_neuron(tmp_path):
    """fadvance() after HOC assigned t, after a changed dt, and after fcurrent() recomputes cj with the
    secondorder of then."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + """
        soma stim.del = 0
        stim.dur = 5
        stim.amp = 0.2
        proc show() { printf("%.17g %.17g %.17g\\n", t, soma.v(0.5), dend.v(0.9)) }
        finitialize(-65)
        secondorder = 1
        for i = 1, 20 fadvance()
        show()
        t = t   // assigned: the next step recomputes cj (secondorder 1 now)
        for i = 1, 20 fadvance()
        show()
        secondorder = 0
        for i = 1, 20 fadvance()   // cj of secondorder 1, v += delta
        show()
        dt = 0.0125
        for i = 1, 20 fadvance()   // dt changed: cj = 1/dt
        show()
        secondorder = 2
        fcurrent()
        for i = 1, 20 fadvance()
        show()
    """)
    assert len([ln for ln in theirs if ln[:1].isdigit()]) == 5
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
