"""A ring of hh cells as network models build one (NEURON's ringtest): each cell a soma (hh) with a
dendrite (pas, 3 segments); cell i's soma drives an ExpSyn on cell i + 1's dendrite, a NetStim drives every
third cell at once (so that sources fire in the same step and their events reach shared ExpSyns at equal
times), and every soma's spikes are recorded. A plain case description (tests/solver/event_cases.py), run
in real NEURON and in bridge from the same dict."""

from __future__ import annotations


def ring(n: int = 8, tstop: float = 40.0, dt: float = 0.025) -> dict:
    sections, points, netcons = [], [], []
    for i in range(n):
        sections.append({"name": f"c{i}s", "L": 20, "diam": 20, "insert": {"hh": {}}})
        sections.append({"name": f"c{i}d", "L": 200, "diam": 2, "nseg": 3, "insert": {"pas": {"e": -65.0}},
                         "parent": [f"c{i}s", 1.0]})
    for i in range(n):  # one synapse per dendrite, the ring's and the NetStim's events both land there
        points.append(["ExpSyn", f"c{i}d", 0.5, {"tau": 2.0}])
    for i in range(n):
        netcons.append({"source": ["v", f"c{i}s", 0.5], "target": ["point", (i + 1) % n], "weight": [0.03],
                        "delay": 1.0, "threshold": -20.0, "record": True})
    for i in range(0, n, 3):  # the same NetStim into several cells, equal delays: ties in the queue
        netcons.append({"source": ["cell", 0], "target": ["point", i], "weight": [0.05], "delay": 1.0})
    for i in range(n):  # a second synapse (inhibitory) per cell from two cells back: more equal-time events
        points.append(["ExpSyn", f"c{i}s", 0.5, {"tau": 5.0, "e": -80.0}])
        netcons.append({"source": ["v", f"c{(i - 2) % n}s", 0.5], "target": ["point", n + i], "weight": [0.002],
                        "delay": 2.0, "threshold": -20.0})
    return {"sections": sections, "points": points,
            "cells": [["NetStim", {"start": 1.0, "interval": 10.0, "number": 4}]], "netcons": netcons,
            "probes": [[f"c{i}{p}", x, "v"] for i in range(n) for p, x in (("s", 0.5), ("d", 0.9))],
            "tstop": tstop, "dt": dt}


def demoted_tie(number: int = 5) -> dict:
    """Two hh cells; one NetStim sends, per spike in this NetCon order, three events at t + 2 ms to an ExpSyn
    on cell a, then one at t + 1 ms to an ExpSyn on cell b. The first of the three becomes the queue's least
    item, and the earlier event for b demotes it behind the other two (TQueue::insert), so cell a's synapse
    receives them second, third, first. A queue holding only cell a's own events would deliver them in
    creation order: other sums of the weights, other bits."""
    sections = [{"name": c, "L": 20, "diam": 20, "insert": {"hh": {}}} for c in ("a", "b")]
    points = [["ExpSyn", "a", 0.5, {"tau": 3.0}], ["ExpSyn", "b", 0.5, {"tau": 3.0}]]
    netcons = [{"source": ["cell", 0], "target": ["point", 0], "weight": [w], "delay": 2.0}
               for w in (0.0013, 0.0029, 0.0007)]
    netcons.append({"source": ["cell", 0], "target": ["point", 1], "weight": [0.001], "delay": 1.0})
    return {"sections": sections, "points": points,
            "cells": [["NetStim", {"start": 1.0, "interval": 4.0, "number": number}]], "netcons": netcons,
            "probes": [["a", 0.5, "v"], ["b", 0.5, "v"]], "tstop": 30.0, "dt": 0.025}


def ring_with_intfire(n: int = 6) -> dict:
    """`ring(n)` with an IntFire1 (an artificial cell: every device runs it) receiving every soma's spikes and
    driving cell 3's dendritic ExpSyn; its spikes are recorded."""
    case = ring(n)
    case["cells"].append(["IntFire1", {"tau": 5.0, "refrac": 2.0}])
    for i in range(n):
        case["netcons"].append({"source": ["v", f"c{i}s", 0.5], "target": ["cell", 1], "weight": [0.4],
                                "delay": 1.0, "threshold": -20.0})
    case["netcons"].append({"source": ["cell", 1], "target": ["point", 3], "weight": [0.04], "delay": 1.5,
                            "record": True})
    return case
