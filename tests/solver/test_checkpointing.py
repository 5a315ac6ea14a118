"""bridge.solver.checkpointing: what a gradient keeps per step, and the automatic number of nested scans."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from bridge.model import Model, Simulation
from bridge.solver import checkpointing
from bridge.solver.step import finitialize, prepare
from tests.solver import models


def test_levels_fewest_that_fit_the_budget():
    assert checkpointing.levels(3, 4001, 10**9) == 3  # given: kept
    assert checkpointing.levels(1, 10**6, 10**9) == 1
    assert checkpointing.levels(None, 4001, 95_448) == 1  # 364 MB <= 512 MiB
    assert checkpointing.levels(None, 40_001, 95_448) == 2  # 3.6 GB plain; 2 * 201 steps: 38 MB
    assert checkpointing.levels(None, 40_001, 10**9) == checkpointing.MAX_LEVELS  # nothing fits: the most


def _grad_memory(tree, tstop: float) -> tuple[int, int, Simulation]:
    sim = Simulation(Model(tree, tstop=tstop), record=["soma(0.5).v"], checkpoint=1)
    base = sim.params()
    grad = jax.jit(jax.grad(lambda p: jnp.sum(sim.run(p, check=False).values))).lower(base).compile()
    return grad.memory_analysis().temp_size_in_bytes, sim.nsteps, sim


def test_plain_scan_gradient_keeps_about_the_step_state():
    """The plain scan's gradient memory grows by at most `step_bytes` per step (v, the STATEs, the ion
    variables, the solve's solution), not by every intermediate of the step (JAX's default: ~74 arrays
    of the cell's size per step on the 993-compartment hh cell)."""
    tree = models.branched_hh(nsec=20, seed=4)
    m1, n1, sim = _grad_memory(tree, 10.0)
    m2, n2, _ = _grad_memory(tree, 20.0)
    p = jax.tree.map(lambda x: jnp.asarray(x, jnp.float64), sim.params())
    state = finitialize(sim.plan, p, prepare(sim.plan, p, sim.model.dt, 0), sim.model.dt, 0, jnp.float64,
                        None, currents=False)
    per_step = (m2 - m1) / (n2 - n1)
    bound = checkpointing.step_bytes(sim.plan, state)
    assert 0 < per_step <= bound, (per_step, bound)
    everything = sum(np.size(a) * 8 for a in jax.tree.leaves(state))  # the whole state: more than is kept
    assert per_step < everything, (per_step, everything)


def test_automatic_levels_give_the_plain_scans_traces_and_gradient():
    tree = models.branched_hh(nsec=8, seed=2)
    sims = [Simulation(Model(tree, tstop=5.0), record=["soma(0.5).v"], checkpoint=c) for c in (None, 1, 3)]
    base = sims[0].params()
    values = [np.asarray(s.run(base).values) for s in sims]
    np.testing.assert_array_equal(values[0], values[1])
    np.testing.assert_array_equal(values[0], values[2])

    def grad(sim):
        return jax.jit(jax.grad(lambda g: jnp.mean(sim.run(sim.set(base, "gnabar_hh", g), check=False).values)))(0.12)

    g = [float(grad(s)) for s in sims]
    assert g[0] == g[1]  # None is a plain scan here (40 kB of steps)
    np.testing.assert_allclose(g[2], g[1], rtol=1e-12)


def test_nested_levels_keep_an_event_runs_traces_and_spikes():
    """With NetCons the padded iterations of nested scans (401 iterations in 7 x 8 x 8) keep the carry: the
    same traces and recorded spike times, bit for bit, as the plain scan (checkpoint=None may choose them)."""
    from tests.solver.event_cases import build

    case = {"sections": [{"name": "soma", "L": 20, "diam": 20, "insert": {"hh": {}}}],
            "points": [["Exp2Syn", "soma", 0.5, {"tau1": 0.5, "tau2": 3.0}]],
            "cells": [["NetStim", {"start": 1.0, "interval": 3.0, "number": 3}]],
            "netcons": [{"source": ["cell", 0], "target": ["point", 0], "weight": [0.01], "delay": 0.5,
                         "record": True},
                        {"source": ["v", "soma", 0.5], "target": ["point", 0], "weight": [0.0],
                         "delay": 1.0, "threshold": 0.0, "record": True}],
            "probes": [["soma", 0.5, "v"]], "tstop": 10.0, "dt": 0.025}
    plain = build(case)
    plain.checkpoint = 1
    nested = build(case)
    nested.checkpoint = 3
    assert checkpointing.lengths(plain.nsteps + 1, 3) == (7, 8, 8)
    a, b = plain.run(), nested.run()
    np.testing.assert_array_equal(np.asarray(a.values), np.asarray(b.values))
    assert a.events is not None and b.events is not None
    for key in ("spikes", "nspikes"):
        np.testing.assert_array_equal(np.asarray(a.events[key]), np.asarray(b.events[key]))
    assert int(np.asarray(a.events["nspikes"]).sum()) >= 4  # the NetStim's 3 and the soma's spike(s)
