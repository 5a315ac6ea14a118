"""v assigned in a POINT_PROCESS's NET_RECEIVE (an integrate-and-fire reset; ModelDB 83319's spikeout.mod):
nocmodl reads the node's v on entry and writes it back on exit (nocpout.cpp), so the event sets the voltage
the rest of the step starts from. Real NEURON 9.0.2 and bridge from one description (event_cases.py):
max |dV| <= 1e-9 mV, identical spike times."""

from pathlib import Path

import numpy as np
import pytest

from bridge.nmodl.load import load_mechanisms
from tests.solver.event_cases import compare

MODS = Path(__file__).parent / "event_mods_vreset"


def _nrnivmodl():
    from validation.neuron_run import compile_mod_files  # noqa: PLC0415

    return str(compile_mod_files(sorted(MODS.glob("*.mod"))))


@pytest.mark.neuron
def test_v_reset_from_net_receive_matches_neuron():
    # soma: pas driven over threshold by an IClamp, reset by its VReset (WATCH, self-events) and kicked up
    # and down by NetStim events at mid-step times (v = v + w); a second VReset on a dendrite node and one
    # more on the soma node (two writers of one node); the soma's resets drive an ExpSyn on an hh cell
    case = {"sections": [{"name": "soma", "L": 20, "diam": 20, "insert": {"pas": {"g": 1e-4, "e": -65}}},
                         {"name": "dend", "L": 200, "diam": 1, "nseg": 5, "parent": ["soma", 1.0],
                          "insert": {"pas": {"g": 1e-4, "e": -65}}},
                         {"name": "b", "L": 20, "diam": 20, "insert": {"hh": {}}}],
            "points": [["IClamp", "soma", 0.5, {"del": 1.0, "dur": 60.0, "amp": 0.1}],
                       ["VReset", "soma", 0.5, {"thresh": -52.0, "vreset": -68.0, "refrac": 1.5}],
                       ["VReset", "dend", 0.7, {"thresh": -56.0, "vreset": -72.0, "refrac": 3.0, "grefrac": 0.001}],
                       ["VReset", "soma", 0.5, {"thresh": 100.0}],
                       ["ExpSyn", "b", 0.5, {"tau": 2.0}]],
            "cells": [["NetStim", {"start": 2.0125, "interval": 3.3, "number": 12}],
                      ["NetStim", {"start": 5.0, "interval": 7.1, "number": 6}]],
            "netcons": [{"source": ["cell", 0], "target": ["point", 1], "weight": [4.0], "delay": 0.3},
                        {"source": ["cell", 1], "target": ["point", 3], "weight": [-6.0], "delay": 0.0},
                        {"source": ["cell", 0], "target": ["point", 2], "weight": [12.0], "delay": 0.4125},
                        {"source": ["point", 1], "target": ["point", 4], "weight": [0.02], "delay": 1.0,
                         "record": True},
                        {"source": ["point", 2], "target": None, "record": True}],
            "probes": [["soma", 0.5, "v"], ["dend", 0.7, "v"], ["dend", 0.1, "v"], ["b", 0.5, "v"]],
            "tstop": 60.0, "dt": 0.025, "dll": _nrnivmodl()}
    dv, ours, theirs, traces, _ = compare(case, load_mechanisms(MODS))
    assert np.all(dv <= 1e-9), dv
    assert [len(s) for s in ours] == [len(s) for s in theirs], (ours, theirs)
    for a, b in zip(ours, theirs):
        assert np.all(np.abs(a - b) <= 1e-9), (a, b)
    assert len(ours[0]) >= 3 and len(ours[1]) >= 2, ours  # both cells fired and were reset
    soma = np.asarray(traces.values)[:, 0]
    assert soma.min() < -67.5  # the reset to -68 mV shows in the trace
