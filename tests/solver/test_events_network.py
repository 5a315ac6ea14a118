"""A small network the way published network models build one (ringtest/Brunel style): hh cells, each cell's
v(0.5) driving ExpSyns on several cells through NetCons with delays on a coarse grid, so that sources fire in
the same step and their events reach the queue at equal times. Run in real NEURON 9.0.2 and in bridge with
both loop kinds (`EventSettings.differentiable`), and in a vmapped batch: max |dV| <= 1e-9 mV, spike times
<= 1e-9 ms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.model import Simulation
from bridge.solver.events import EventSettings
from tests.solver.event_cases import build, run_neuron

pytestmark = pytest.mark.neuron


def _case(n: int = 6, fanout: int = 4) -> dict:
    rng = np.random.default_rng(3)
    sections = [{"name": f"c{i}", "L": 20, "diam": 20, "insert": {"hh": {}}} for i in range(n)]
    points = [["ExpSyn", f"c{i}", 0.5, {"tau": 2.0}] for i in range(n)]  # the NetStim's synapse per cell
    netcons = [{"source": ["cell", 0], "target": ["point", i], "weight": [0.05], "delay": [0.5, 0.5, 1.0][i % 3]}
               for i in range(n)]  # equal drive: cells fire in the same step
    for i in range(n):
        for _ in range(fanout):
            points.append(["ExpSyn", f"c{int(rng.integers(n))}", 0.5,
                           {"tau": 2.0, "e": 0.0 if rng.random() < 0.7 else -80.0}])
            netcons.append({"source": ["v", f"c{i}", 0.5], "target": ["point", len(points) - 1],
                            "weight": [float(rng.uniform(0.002, 0.01))], "delay": float(rng.choice([1.0, 1.5, 2.0])),
                            "threshold": -20.0})
    netcons += [{"source": ["v", f"c{i}", 0.5], "target": None, "threshold": -20.0, "record": True} for i in range(n)]
    return {"sections": sections, "points": points,
            "cells": [["NetStim", {"start": 1.0, "interval": 9.0, "number": 4}]], "netcons": netcons,
            "probes": [[f"c{i}", 0.5, "v"] for i in range(n)], "tstop": 40.0, "dt": 0.025}


def _assert_same(traces, ref, nrec: int):
    dv = np.max(np.abs(np.asarray(traces.values) - ref["values"]))
    assert dv <= 1e-9, dv
    for i in range(nrec):
        ours, theirs = traces.spikes(i), np.asarray(ref["spikes"][i])
        assert len(ours) == len(theirs) and np.all(np.abs(ours - theirs) <= 1e-9), (i, ours, theirs)
    return dv


@pytest.fixture(scope="module")
def network():
    case = _case()
    sim = build(case)
    ref = run_neuron(case, sim.nsteps)
    assert sum(len(s) for s in ref["spikes"]) > 12  # the network is busy: several spikes per cell
    return case, sim, ref


@pytest.mark.parametrize("differentiable", [True, False])
def test_network_matches_neuron(network, differentiable):
    case, sim, ref = network
    ours = Simulation(sim.model, record=[f"{s}({x}).{v}" for s, x, v in case["probes"]],
                      events=EventSettings(capacity=128, per_step=32, differentiable=differentiable))
    _assert_same(ours.run(), ref, len(case["probes"]))


def test_network_batch_with_while_loops(network):
    # under vmap the while loops run as often as the busiest member needs; member 0 is NEURON's run
    case, sim, ref = network
    ours = Simulation(sim.model, record=[f"{s}({x}).{v}" for s, x, v in case["probes"]],
                      events=EventSettings(capacity=128, per_step=32, differentiable=False))
    params = ours.params()
    w0 = params["network"]["weights"]

    def one(s):
        return ours.run({**params, "network": {**params["network"], "weights": w0 * s}}, check=False).values

    values = jax.jit(jax.vmap(one))(jnp.asarray([1.0, 0.6, 1.4]))
    dv = np.max(np.abs(np.asarray(values[0]) - ref["values"]))
    assert dv <= 1e-9, dv
    assert np.max(np.abs(np.asarray(values[1]) - ref["values"])) > 1e-3  # the other members differ
