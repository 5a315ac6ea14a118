"""net_move (NEURON's `_tqitem` and TQueue::move), IntFire2 and IntFire4: each case runs in real NEURON
9.0.2 and in bridge from one description (event_cases.py): max |dV| <= 1e-9 mV, identical spike
counts, spike times <= 1e-9 ms."""

from pathlib import Path

import numpy as np
import pytest

from bridge.errors import SimulationError
from bridge.nmodl.load import load_mechanisms
from tests.solver.event_cases import build, compare

pytestmark = pytest.mark.neuron

MODS = Path(__file__).parent / "event_mods"


def _nrnivmodl():
    from validation.neuron_run import compile_mod_files  # noqa: PLC0415

    return str(compile_mod_files(sorted(MODS.glob("*.mod"))))


def _check(case, mechanisms=None, tol=1e-9):
    dv, ours, theirs, traces, ref = compare(case, mechanisms)
    assert np.all(dv <= tol), dv
    assert [len(s) for s in ours] == [len(s) for s in theirs], (ours, theirs)
    for a, b in zip(ours, theirs):
        assert np.all(np.abs(a - b) <= 1e-9), (a, b)
    return dv, ours, traces, ref


def _soma(name="soma", mech="hh"):
    return {"name": name, "L": 20, "diam": 20, "insert": {mech: {}}}


def test_net_move_lif_cells_driven_by_netstims():
    # LifMove (event_mods/lifmove.mod): a biased leaky integrate-and-fire cell whose input events move its
    # pending fire event (net_move to now when m >= 1, later or earlier otherwise); cell 2 has no bias
    # (fire time 1e9) and fires only through inputs; cell 2 drives an ExpSyn on an hh soma
    case = {"sections": [_soma()], "points": [["ExpSyn", "soma", 0.5, {"tau": 2.0}]],
            "cells": [["NetStim", {"start": 0.5, "interval": 1.3, "number": 15}],
                      ["NetStim", {"start": 2.0, "interval": 3.1, "number": 6}],
                      ["LifMove", {"tau": 8.0, "ib": 1.3}], ["LifMove", {"tau": 5.0, "ib": 1.05}],
                      ["LifMove", {"tau": 4.0, "ib": 0.0}]],
            "netcons": [{"source": ["cell", 0], "target": ["cell", 2], "weight": [0.2], "delay": 0.5},
                        {"source": ["cell", 1], "target": ["cell", 2], "weight": [-0.3], "delay": 0.25},
                        {"source": ["cell", 1], "target": ["cell", 3], "weight": [0.45], "delay": 1.0},
                        {"source": ["cell", 0], "target": ["cell", 3], "weight": [-0.1], "delay": 0.1},
                        {"source": ["cell", 2], "target": ["cell", 4], "weight": [0.6], "delay": 1.2, "record": True},
                        {"source": ["cell", 3], "target": ["cell", 4], "weight": [0.55], "delay": 0.8, "record": True},
                        {"source": ["cell", 4], "target": ["point", 0], "weight": [0.05], "delay": 0.5,
                         "record": True},
                        {"source": ["cell", 4], "target": ["cell", 2], "weight": [0.3], "delay": 0.0}],
            "probes": [["soma", 0.5, "v"]], "tstop": 40.0, "dt": 0.025, "dll": _nrnivmodl()}
    dv, ours, _, _ = _check(case, load_mechanisms(MODS))
    assert all(len(s) >= 3 for s in ours), ours


def test_net_move_without_a_pending_self_event_stops_the_run(tmp_path):
    # NEURON: hoc_execerror "No event with flag=1 for net_move" (netcvode.cpp nrn_net_move)
    (tmp_path / "mover.mod").write_text("NEURON { ARTIFICIAL_CELL Mover }\nNET_RECEIVE(w) { net_move(t + 1) }\n")
    case = {"sections": [_soma(mech="pas")], "points": [],
            "cells": [["NetStim", {"start": 1.0, "interval": 1.0, "number": 1}], ["Mover", {}]],
            "netcons": [{"source": ["cell", 0], "target": ["cell", 1], "weight": [1.0], "delay": 0.5}],
            "probes": [["soma", 0.5, "v"]], "tstop": 3.0, "dt": 0.025}
    sim = build(case, load_mechanisms(tmp_path))
    with pytest.raises(SimulationError, match="No event with flag=1 for net_move"):
        sim.run()


def _intfire_case(name, params):
    # three cells of `name`: NetStims drive a (excitation and inhibition) and b, a and b drive c, c inhibits a
    return {"sections": [_soma(mech="pas")], "points": [],
            "cells": [["NetStim", {"start": 0.5, "interval": 1.7, "number": 12}],
                      ["NetStim", {"start": 1.1, "interval": 2.3, "number": 9}]] + [[name, p] for p in params],
            "netcons": [{"source": ["cell", 0], "target": ["cell", 2], "weight": [0.9], "delay": 0.5},
                        {"source": ["cell", 1], "target": ["cell", 2], "weight": [-0.4], "delay": 0.3},
                        {"source": ["cell", 1], "target": ["cell", 3], "weight": [0.6], "delay": 1.0},
                        {"source": ["cell", 0], "target": ["cell", 3], "weight": [0.2], "delay": 0.1},
                        {"source": ["cell", 2], "target": ["cell", 4], "weight": [1.5], "delay": 1.2, "record": True},
                        {"source": ["cell", 3], "target": ["cell", 4], "weight": [1.1], "delay": 2.0, "record": True},
                        {"source": ["cell", 4], "target": ["cell", 2], "weight": [-0.5], "delay": 0.7,
                         "record": True}],
            "probes": [["soma", 0.5, "v"]], "tstop": 60.0, "dt": 0.025}


def test_intfire2_network_driven_by_netstims():
    # bridge's intfire2.mod vs NEURON's built-in IntFire2: a biased cell (ib > 1 fires by itself; inputs move its
    # fire event), an unbiased one, one with taus <= taum (INITIAL sets taus = taum + 0.1); identical rasters
    _, ours, _, _ = _check(_intfire_case("IntFire2", [{"taus": 12.0, "taum": 4.0, "ib": 1.2}, {"ib": 0.5},
                                                      {"taus": 3.0, "taum": 5.0}]))
    assert all(len(s) >= 2 for s in ours), ours


def test_intfire4_network_driven_by_netstims():
    # bridge's intfire4.mod vs NEURON's built-in IntFire4 (excitation, alpha-like inhibition, net_move to the
    # fire-time bound); the 2nd and 3rd cells' time constants are adjusted by INITIAL (taue > taui2,
    # taui1 > taui2 swapped, taum = taui2); identical rasters
    _, ours, _, _ = _check(_intfire_case("IntFire4", [{"taue": 2.0, "taum": 8.0}, {"taui1": 30.0, "taue": 25.0},
                                                      {"taum": 20.0, "taui2": 20.0}]))
    assert all(len(s) >= 2 for s in ours), ours
