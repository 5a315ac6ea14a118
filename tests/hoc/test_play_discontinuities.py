"""`Vector.play(&var, tvec, ivec)`: continuous play with discontinuities at the indices ivec of tvec, against NEURON
9.0.2 (src/nrniv/vrecord.cpp `VecPlayContinuous`: its events come only at tvec[ivec[k]], and until one is
delivered the value extrapolates the segment that ends at it). A staircase with repeated times at its steps, on
and off the step grid, an index at a time without a repeat, an index 0 (an event at t = 0) and no index at all."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.errors import BridgeError
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

PLAY = CELL + """
soma stim.del = 0
stim.dur = 1e9
objref amp, tamp, idx, cel
tamp = new Vector()
amp = new Vector()
// times [ms] and amplitudes [nA]: steps at 1.5 (on the grid), 3.0125 (half a step) and 4.02 (between t + dt/2
// and t + dt of a step: NEURON delivers the event after the value at t + dt, which extrapolates to there)
tamp.append(0, 1.5, 1.5, 3.0125, 3.0125, 4.02, 4.02, 5.32, 7)
amp.append(0.02, 0.1, -0.05, 0.25, 0.05, 0.3, -0.1, 0.2, 0.15)
// celsius [degC]: read by hh's state update at t + dt, where the value past an undelivered discontinuity shows
cel = new Vector()
cel.append(6.3, 12, 25, 8, 30, 15, 6.3, 20, 16)
idx = new Vector()
INDICES
amp.play(&stim.amp, tamp, idx)
cel.play(&celsius, tamp, idx)
usetable_hh = 0  // the rates at t + dt from celsius then, not from a TABLE built at the step's start
tstop = 8
proc show() {
    printf("t %.17g v %.17g m %.17g\\n", t, soma.v(0.5), soma.m_hh(0.5))
}
run()
show()
"""

CASES = {
    "steps": "idx.append(2, 4, 6)",
    "at_a_single_time": "idx.append(2, 7)",  # 7: t = 5.32, no repeated time there
    "from_zero": "idx.append(0, 2, 4, 6)",
    "none": "",
}


@pytest.mark.neuron
@pytest.mark.parametrize("case", sorted(CASES))
def test_play_with_discontinuity_indices_matches_neuron(tmp_path, case):
    theirs, ref, ours, vecs, _ = _both(tmp_path, PLAY.replace("INDICES", CASES[case]))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    plain = _both(tmp_path, PLAY.replace("INDICES", "").replace("tamp, idx)", "tamp, 1)"), vectors=("vs",))[1]
    moved = float(np.max(np.abs(plain["vs"] - ref["vs"])))
    print(f"{case}: the indices moved v by {moved:.3g} mV")  # shown with pytest -s
    assert moved > 1e-4  # the discontinuities changed the run (a plain continuous play is not the same)


def test_an_index_outside_the_time_vector_is_an_error_naming_the_line(tmp_path):
    from bridge.hoc.session import HocSession

    (tmp_path / "model.hoc").write_text(PLAY.replace("INDICES", "idx.append(2, 9)"))
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*discontinuity index 9 is outside the time Vector"):
        HocSession(cwd=tmp_path).load_file(tmp_path / "model.hoc")
