"""FOR_NETCONS: an STDP-style synapse (event_mods/stdpsyn.mod) whose postsynaptic spikes change the weight
vectors of every NetCon into it. Runs in real NEURON 9.0.2 and in bridge from one description
(event_cases.py): max |dV| <= 1e-9 mV, identical spike times, and the NetCons' weight vectors at the end
agree to 1e-12 (relative)."""

from pathlib import Path

import numpy as np
import pytest

from bridge.nmodl.load import load_mechanisms
from tests.solver.event_cases import compare

pytestmark = pytest.mark.neuron

MODS = Path(__file__).parent / "event_mods"


def _nrnivmodl():
    from validation.neuron_run import compile_mod_files  # noqa: PLC0415

    return str(compile_mod_files(sorted(MODS.glob("*.mod"))))


def _soma(name):
    return {"name": name, "L": 20, "diam": 20, "insert": {"hh": {}}}


def test_stdp_synapse_updates_every_netcon_into_it():
    # post: an hh cell with an StdpSyn and an ExpSyn (a NetStim makes it spike); into the StdpSyn: two
    # NetStims, the spikes of cell `pre` (threshold on v) and a NetCon without a source (NEURON leaves it
    # out of FOR_NETCONS: no PreSyn); a second StdpSyn on `pre` gets one NetCon
    case = {"sections": [_soma("post"), _soma("pre")],
            "points": [["StdpSyn", "post", 0.5, {}], ["ExpSyn", "post", 0.5, {"tau": 2.0}],
                       ["ExpSyn", "pre", 0.5, {"tau": 2.0}], ["StdpSyn", "pre", 0.5, {"p": 0.8}]],
            "cells": [["NetStim", {"start": 1.0, "interval": 4.0, "number": 8}],
                      ["NetStim", {"start": 2.5, "interval": 3.3, "number": 9}],
                      ["NetStim", {"start": 3.0, "interval": 6.0, "number": 5}],
                      ["NetStim", {"start": 0.7, "interval": 5.0, "number": 6}]],
            "netcons": [{"source": ["cell", 0], "target": ["point", 0], "weight": [0.004, 0.0, 0.0], "delay": 1.0},
                        {"source": ["cell", 1], "target": ["point", 0], "weight": [0.006, 0.0, 0.0], "delay": 0.5},
                        {"source": ["cell", 2], "target": ["point", 1], "weight": [0.05], "delay": 0.0},
                        {"source": ["cell", 3], "target": ["point", 2], "weight": [0.05], "delay": 0.2},
                        {"source": ["v", "pre", 0.5], "target": ["point", 0], "weight": [0.003, 0.0, 0.0],
                         "delay": 2.0, "threshold": -20.0, "record": True},
                        {"source": None, "target": ["point", 0], "weight": [0.01, 0.0, 0.0]},
                        {"source": ["cell", 1], "target": ["point", 3], "weight": [0.002, 0.0, 0.0], "delay": 1.5},
                        {"source": ["v", "post", 0.5], "target": None, "threshold": -20.0, "record": True}],
            "probes": [["post", 0.5, "v"], ["pre", 0.5, "v"]], "tstop": 40.0, "dt": 0.025, "dll": _nrnivmodl()}
    dv, ours, theirs, traces, ref = compare(case, load_mechanisms(MODS))
    assert np.all(dv <= 1e-9), dv
    assert [len(s) for s in ours] == [len(s) for s in theirs], (ours, theirs)
    for a, b in zip(ours, theirs):
        assert np.all(np.abs(a - b) <= 1e-9), (a, b)
    assert len(ours[1]) >= 3, ours  # the postsynaptic cell spikes: FOR_NETCONS runs
    got = traces.weights()
    for c, want in enumerate(ref["weights"]):
        assert got[c, :len(want)] == pytest.approx(want, rel=1e-12, abs=1e-15), (c, got[c], want)
    learned = [ref["weights"][c][1] for c in (0, 1, 4)]
    assert all(a != 0 for a in learned), learned  # potentiation happened
    assert ref["weights"][5][1] == 0.0  # the NetCon without a source is not among FOR_NETCONS' NetCons
