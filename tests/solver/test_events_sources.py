"""Point processes as NetCon sources (net_event from a POINT_PROCESS's NET_RECEIVE), delivery to one
instance among many, and net_send in a loop (refused). Each case runs in real NEURON 9.0.2 and in
bridge from one description (event_cases.py): max |dV| <= 1e-9 mV, identical spike counts, spike
times <= 1e-9 ms."""

from pathlib import Path

import numpy as np
import pytest

from bridge.errors import UnsupportedFeature
from bridge.nmodl.load import load_mechanisms, load_mod
from tests.solver.event_cases import compare

pytestmark = pytest.mark.neuron

MODS = Path(__file__).parent / "event_mods"


def _soma(name="soma", mech="pas"):
    return {"name": name, "L": 20, "diam": 20, "insert": {mech: {}}}


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


def test_point_process_is_a_netcon_source():
    # two Relays (point processes calling net_event) on two hh cells, driven by NetStims; each drives an
    # ExpSyn on cell c; the self-event carries the weight of the event that sent it (amp = w)
    case = {"sections": [_soma("a", "hh"), _soma("b", "hh"), _soma("c", "hh")],
            "points": [["Relay", "a", 0.5, {"nth": 2}], ["Relay", "b", 0.5, {"nth": 3, "lag": 0.75}],
                       ["ExpSyn", "c", 0.5, {"tau": 2.0}], ["ExpSyn", "a", 0.5, {"tau": 1.0}]],
            "cells": [["NetStim", {"start": 1.0, "interval": 1.5, "number": 8}],
                      ["NetStim", {"start": 0.5, "interval": 0.9, "number": 9}]],
            "netcons": [{"source": ["cell", 0], "target": ["point", 0], "weight": [0.4], "delay": 0.2},
                        {"source": ["cell", 1], "target": ["point", 1], "weight": [0.3], "delay": 0.0},
                        {"source": ["point", 0], "target": ["point", 2], "weight": [0.02], "delay": 1.0,
                         "record": True},
                        {"source": ["point", 1], "target": ["point", 2], "weight": [0.03], "delay": 0.5,
                         "record": True},
                        {"source": ["point", 1], "target": ["point", 3], "weight": [0.01], "delay": 0.0125},
                        {"source": ["v", "c", 0.5], "target": None, "threshold": -20.0, "record": True}],
            "probes": [["a", 0.5, "v"], ["b", 0.5, "v"], ["c", 0.5, "v"]], "tstop": 20.0, "dt": 0.025,
            "dll": _nrnivmodl()}
    _, ours, _, _ = _check(case, load_mechanisms(MODS))
    assert [len(s) for s in ours[:2]] == [8, 6]


def test_many_instances_one_target():
    # 40 ExpSyns on one cell, the events to a few of them: delivery runs the target instance alone
    n = 40
    points = [["ExpSyn", "soma", 0.5, {"tau": 0.5 + 0.1 * k}] for k in range(n)]
    netcons = [{"source": ["cell", j % 3], "target": ["point", (7 * j) % n], "weight": [0.002 * (1 + j % 5)],
                "delay": 0.1 * j} for j in range(12)]
    case = {"sections": [_soma(mech="hh")], "points": points,
            "cells": [["NetStim", {"start": 1.0 + j, "interval": 2.0 + 0.5 * j, "number": 4}] for j in range(3)],
            "netcons": netcons, "probes": [["soma", 0.5, "v"], ["soma", 0.5, "v"]], "tstop": 15.0, "dt": 0.025}
    _check(case)


@pytest.mark.parametrize("loop", ["FROM k = 1 TO 2 { net_send(k, 1) }",
                                  "WHILE (n < 2) { n = n + 1 net_event(t) }"])
def test_event_call_inside_a_loop_is_refused(tmp_path, loop):
    mod = tmp_path / "loopy.mod"
    mod.write_text("NEURON { POINT_PROCESS Loopy }\nASSIGNED { n }\n"
                   f"NET_RECEIVE(w) {{\n  n = 0\n  {loop}\n}}\n")
    with pytest.raises(UnsupportedFeature, match=r"inside a (FROM|WHILE) loop") as err:
        load_mod(mod)
    assert "loopy.mod:5" in str(err.value)


def test_watch_on_v_activated_by_self_event():
    # Burst: INITIAL net_send(0, 1); flag 1 starts WATCH (v > vth) 2; on crossing it fires, injects current
    # and watches v < vlow (flag 3), then upward again with a threshold that rises with each spike. Cell b's
    # Burst starts with its condition true (vth below rest): NEURON fires it only after v falls and rises.
    case = {"sections": [_soma("a", "hh"), _soma("b", "hh")],
            "points": [["Burst", "a", 0.5, {"vth": -20.0, "vlow": -55.0, "gain": 0.05}],
                       ["Burst", "b", 0.5, {"vth": -70.0, "vlow": -72.0, "gain": 0.02}],
                       ["ExpSyn", "a", 0.5, {"tau": 2.0}], ["ExpSyn", "b", 0.5, {"tau": 2.0}]],
            "cells": [["NetStim", {"start": 1.0, "interval": 7.0, "number": 4}]],
            "netcons": [{"source": ["cell", 0], "target": ["point", 2], "weight": [0.05], "delay": 0.0},
                        {"source": ["point", 0], "target": ["point", 3], "weight": [0.04], "delay": 1.0,
                         "record": True},
                        {"source": ["point", 1], "target": None, "record": True}],
            "probes": [["a", 0.5, "v"], ["b", 0.5, "v"]],
            "tstop": 40.0, "dt": 0.025, "dll": _nrnivmodl()}
    _, ours, _, _ = _check(case, load_mechanisms(MODS))
    assert len(ours[0]) >= 3 and len(ours[1]) >= 1, ours


@pytest.mark.parametrize("watch, why", [("WATCH (v > w) 2", "NET_RECEIVE argument w"),
                                        ("INITIAL { WATCH (v > -20) 2 }", "WATCH in NET_RECEIVE's INITIAL")])
def test_watch_forms_nocmodl_would_not_run_the_same_are_refused(tmp_path, watch, why):
    mod = tmp_path / "w.mod"
    mod.write_text(f"NEURON {{ POINT_PROCESS W }}\nASSIGNED {{ v }}\nNET_RECEIVE(w) {{\n  {watch}\n}}\n")
    with pytest.raises(UnsupportedFeature, match=why):
        load_mod(mod)


def test_intfire1_network_driven_by_netstims():
    # three IntFire1 cells (bridge's own intfire1.mod vs NEURON's built-in): NetStims drive a and b, a and b
    # drive c, c inhibits a; identical rasters (spike times <= 1e-9 ms)
    case = {"sections": [_soma()], "points": [],
            "cells": [["NetStim", {"start": 0.5, "interval": 1.7, "number": 12}],
                      ["NetStim", {"start": 1.1, "interval": 2.3, "number": 9}],
                      ["IntFire1", {"tau": 4.0, "refrac": 2.0}], ["IntFire1", {"tau": 10.0, "refrac": 5.0}],
                      ["IntFire1", {}]],
            "netcons": [{"source": ["cell", 0], "target": ["cell", 2], "weight": [0.45], "delay": 0.5},
                        {"source": ["cell", 1], "target": ["cell", 2], "weight": [0.3], "delay": 0.3},
                        {"source": ["cell", 1], "target": ["cell", 3], "weight": [0.6], "delay": 1.0},
                        {"source": ["cell", 2], "target": ["cell", 4], "weight": [0.7], "delay": 1.2, "record": True},
                        {"source": ["cell", 3], "target": ["cell", 4], "weight": [0.5], "delay": 2.0, "record": True},
                        {"source": ["cell", 4], "target": ["cell", 2], "weight": [-0.4], "delay": 0.7,
                         "record": True}],
            "probes": [["soma", 0.5, "v"]], "tstop": 30.0, "dt": 0.025}
    _, ours, _, _ = _check(case)
    assert all(len(s) >= 2 for s in ours), ours
