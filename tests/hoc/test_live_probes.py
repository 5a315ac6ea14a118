"""Vectors recording one variable share its column of the live run: recording a variable again (a new
Vector each run, as ModelDB 151482's loops do) is no new structure, so parameter-only changes between
runs compile the step once. Our HOC, run by NEURON 9 and bridge; Vectors compared to 1e-9 mV."""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors


@pytest.mark.neuron
def test_same_probe_recorded_twice_compiles_once(tmp_path):
    """Two Vectors recording soma.v(0.5) from the start, the stimulus changed between runs."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + """
        objref again
        again = new Vector()
        again.record(&soma.v(0.5))
        stim.del = 1
        stim.dur = 3
        tstop = 5
        for k = 1, 3 {
            stim.amp = 0.1*k
            run()
            printf("%d %d %.17g %.17g\\n", vs.size(), again.size(), vs.x[vs.size()-1], again.max())
        }
        """, ("vs", "vd", "tv", "again"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert hoc.live.compilations == 1 and len(hoc.live.engines) == 1


@pytest.mark.neuron
def test_new_vector_recording_an_existing_probe_compiles_once(tmp_path):
    """Each run records soma.v(0.5) into a new Vector (all of them keep recording, as in NEURON)."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + """
        objref vrec[4]
        stim.del = 1
        stim.dur = 3
        tstop = 5
        for k = 0, 3 {
            vrec[k] = new Vector()
            vrec[k].record(&soma.v(0.5))
            stim.amp = 0.05 + 0.1*k
            run()
            printf("%d %.17g %.17g %.17g\\n", vrec[k].size(), vrec[k].max(), vrec[0].max(), vs.x[vs.size()-1])
        }
        objref last
        last = vrec[1]
        """, ("vs", "vd", "tv", "last"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert hoc.live.compilations == 1 and len(hoc.live.engines) == 1
