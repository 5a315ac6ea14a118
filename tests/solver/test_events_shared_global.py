"""A GLOBAL assigned in NET_RECEIVE (ModelDB 116769's ampa.mod): NEURON keeps one value for all instances, so
what one synapse's event adds is what the next event at another synapse reads. Real NEURON 9.0.2 and bridge
from one description (event_cases.py): max |dV| <= 1e-9 mV, identical spike times."""

from pathlib import Path

import numpy as np
import pytest

from bridge.nmodl.load import load_mechanisms
from tests.solver.event_cases import compare

MODS = Path(__file__).parent / "event_mods_global"


def _nrnivmodl():
    from validation.neuron_run import compile_mod_files  # noqa: PLC0415

    return str(compile_mod_files(sorted(MODS.glob("*.mod"))))


@pytest.mark.neuron
def test_global_accumulated_in_net_receive_matches_neuron():
    # three CountSyns on two hh cells, driven by NetStims at different rates: each event adds its weight to
    # the one `total` and its conductance grows by 0.0005*total, so the second cell's steps grow with the
    # first cell's input
    case = {"sections": [{"name": "a", "L": 20, "diam": 20, "insert": {"hh": {}}},
                         {"name": "b", "L": 20, "diam": 20, "insert": {"hh": {}}}],
            "points": [["CountSyn", "a", 0.5, {"tau": 2.0}], ["CountSyn", "b", 0.5, {"tau": 3.0}],
                       ["CountSyn", "b", 0.5, {"tau": 1.0, "e": -80.0}]],
            "cells": [["NetStim", {"start": 1.0, "interval": 2.0, "number": 15}],
                      ["NetStim", {"start": 4.0125, "interval": 7.0, "number": 5}]],
            "netcons": [{"source": ["cell", 0], "target": ["point", 0], "weight": [1.0], "delay": 0.5},
                        {"source": ["cell", 1], "target": ["point", 1], "weight": [0.5], "delay": 1.0},
                        {"source": ["cell", 1], "target": ["point", 2], "weight": [-0.25], "delay": 0.3},
                        {"source": ["v", "a", 0.5], "target": None, "threshold": -10.0, "record": True},
                        {"source": ["v", "b", 0.5], "target": None, "threshold": -10.0, "record": True}],
            "probes": [["a", 0.5, "v"], ["b", 0.5, "v"]], "tstop": 40.0, "dt": 0.025, "dll": _nrnivmodl()}
    dv, ours, theirs, _, _ = compare(case, load_mechanisms(MODS))
    assert np.all(dv <= 1e-9), dv
    assert [len(s) for s in ours] == [len(s) for s in theirs], (ours, theirs)
    for a, b in zip(ours, theirs):
        assert np.all(np.abs(a - b) <= 1e-9), (a, b)
    assert len(theirs[1]) >= 1, theirs  # the second cell fired on the total the first cell's input built
