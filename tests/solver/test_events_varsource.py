"""A NetCon watching a point process's variable (`new NetCon(&syn.g, target)`): a threshold source on a
STATE, checked at the start of each step as v is. Real NEURON 9.0.2 and bridge from one description
(event_cases.py): max |dV| <= 1e-9 mV, identical spike times."""

import numpy as np
import pytest

from bridge.errors import UnsupportedFeature
from tests.solver.event_cases import build, compare


def _case():
    # NetStims drive ExpSyn 0 on cell a; NetCons watch its conductance g (two share one detector, NEURON's
    # PreSyn: the later threshold wins) and drive ExpSyn 1 on cell b and an IntFire1
    return {"sections": [{"name": "a", "L": 20, "diam": 20, "insert": {"hh": {}}},
                         {"name": "b", "L": 20, "diam": 20, "insert": {"hh": {}}}],
            "points": [["ExpSyn", "a", 0.5, {"tau": 3.0}], ["ExpSyn", "b", 0.5, {"tau": 2.0}]],
            "cells": [["NetStim", {"start": 1.0, "interval": 0.7, "number": 6}],
                      ["NetStim", {"start": 12.0, "interval": 5.0, "number": 3}], ["IntFire1", {"tau": 2.0}]],
            "netcons": [{"source": ["cell", 0], "target": ["point", 0], "weight": [0.004], "delay": 0.5},
                        {"source": ["cell", 1], "target": ["point", 0], "weight": [0.012], "delay": 0.0},
                        {"source": ["point", 0, "g"], "target": ["point", 1], "weight": [0.03], "delay": 1.0,
                         "threshold": 0.5, "record": True},
                        {"source": ["point", 0, "g"], "target": ["cell", 2], "weight": [1.5], "delay": 0.3,
                         "threshold": 0.01},
                        {"source": ["v", "b", 0.5], "target": None, "threshold": -20.0, "record": True},
                        {"source": ["cell", 2], "target": None, "record": True}],
            "probes": [["a", 0.5, "v"], ["b", 0.5, "v"]], "tstop": 30.0, "dt": 0.025}


@pytest.mark.neuron
def test_netcon_on_a_point_process_state():
    dv, ours, theirs, _, _ = compare(_case())
    assert np.all(dv <= 1e-9), dv
    assert [len(s) for s in ours] == [len(s) for s in theirs], (ours, theirs)
    for a, b in zip(ours, theirs):
        assert np.all(np.abs(a - b) <= 1e-9), (a, b)
    assert all(len(s) >= 2 for s in ours), ours


def test_netcon_on_a_parameter_is_refused():
    case = _case()
    case["netcons"][2]["source"] = ["point", 0, "tau"]
    with pytest.raises(UnsupportedFeature, match="STATE or ASSIGNED"):
        build(case).run()
