"""The calls parallel network models make besides gids and gid_connect, against NEURON 9.0.2 on one process.

tests/hoc/netcon_data/ring_controls.hoc (ours): a ParallelContext ring of 10 hh cells with `cvode.active(0)`,
`pc.timeout`, `pc.barrier`, `pc.set_maxstep`, `pc.threshold(gid)` read and set (gid 3 fires at -20 mV: its spikes
come 0.125 ms earlier than at the default 10 mV), and one NetCon switched off with `active(0)` for a first run
(the ring stops at its target) and on again for a second. The values these calls return, both runs' spike
records (`pc.spike_record`) and two cells' voltages are compared.
"""

from __future__ import annotations

import numpy as np
import pytest

import bridge
from tests.hoc.test_netcon_neuron import DATA, bridge_vectors, neuron_vectors

HOC = DATA / "ring_controls.hoc"


@pytest.mark.neuron
def test_ring_with_parallel_controls_matches_neuron(tmp_path):
    names = ["answers", "t1", "id1", "tvec", "idvec", "vs0", "vs7"]
    ref = neuron_vectors(HOC, names, tmp_path)
    ours, _ = bridge_vectors(HOC)
    session = bridge.HocSession(cwd=HOC.parent)
    session.load_file(HOC)
    for name in ("answers", "t1", "id1"):  # plain Vectors HOC filled: read from the session
        ours[name] = np.asarray(session._interp.top[name].data[0].data)
    # cvode.active(0); timeout(0) gives NEURON's start value 20, timeout(5) the 0 just set; barrier();
    # threshold(3) before, at and after setting -20; active(0) gives the old 1, then 0; set_maxstep(10);
    # active(1) gives 0, then 1; timeout(0) gives the 5; barrier() after the second run
    assert list(ref["answers"]) == [0, 20, 0, 0, 10, -20, -20, 1, 0, 10, 0, 1, 5, 0]
    assert list(ours["answers"]) == list(ref["answers"])
    assert set(ref["id1"]) == set(range(6))  # first run: the switched-off NetCon stops the ring at cell 5
    assert set(ref["idvec"]) == set(range(10)) and len(ref["idvec"]) > 20  # second run: round the ring, twice
    for name in ("t1", "id1", "tvec", "idvec"):
        assert len(ours[name]) == len(ref[name]), (name, ours[name], ref[name])
        assert np.all(np.abs(ours[name] - ref[name]) <= 1e-9), (name, ours[name], ref[name])  # [ms] or gid
    for name in ("vs0", "vs7"):  # the second run's voltages
        assert ours[name].shape == ref[name].shape
        assert np.max(np.abs(ours[name] - ref[name])) <= 1e-9, name  # [mV]
