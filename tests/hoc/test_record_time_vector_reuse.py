"""A Vector that is another record's time Vector, then recorded into, against NEURON 9.0.2: `tv.record(...)` first
deletes every play and record that uses tv (src/nrniv/vrecord.cpp `nrn_vecsim_add`: `nrn_vecsim_remove(yvec)`;
`VecRecordDiscrete::uses` is true for its time Vector too, src/nrncvode/vrecitem.h), so the Vector that recorded at
tv's times records no more and keeps what it holds."""

from __future__ import annotations

import io

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

RUN = CELL + """
stim.del = 1
stim.dur = 3
stim.amp = 0.3
objref a, times
times = new Vector(20)
times.indgen(0.25, 0.25)
a = new Vector()
a.record(&soma.v(0.5), times)
tstop = 6
FIRST
times.record(&soma.m_hh(0.5))
SECOND
printf("a %d times %d\\n", a.size(), times.size())
"""


@pytest.mark.neuron
@pytest.mark.parametrize("first", ["", "run()"])
def test_recording_into_a_records_time_vector_deletes_that_record_as_neuron_does(tmp_path, first):
    """Before any run (a never records: empty) and after one (a keeps the first run's 20 samples while the
    second run records m into times)."""
    text = RUN.replace("FIRST", first).replace("SECOND", "run()")
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors=("vs", "a", "times"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert ref["a"].size == (20 if first else 0) and ref["times"].size == ref["vs"].size  # NEURON's behaviour


def test_play_index_of_a_records_time_vector_is_refused(tmp_path):
    """NEURON's `vec.play(index)` takes the first play or record using vec (here the discrete record that uses it as
    its time Vector) as a VecPlayStep: a misread bridge refuses."""
    (tmp_path / "model.hoc").write_text(RUN.replace("FIRST", "times.play(0)").replace("SECOND", ""))
    with pytest.raises(BridgeError, match=r"model.hoc:\d+.*play\(index\) is not supported"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")
