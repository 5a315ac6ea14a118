"""Step and recording-memory limits: a run that asks for too many steps or too much recording
memory is refused before anything is counted, built or run, naming tstop, dt, the step count and
the limit (`bridge.Limits`); the same runs are fine with the limit raised."""

from __future__ import annotations

import random
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.limits import Limits
from bridge.model import Model, Simulation, simulate
from bridge.solver.budget import recording_bytes, step_count
from tests.solver import models


def _loop_step_count(tstop: float, dt: float) -> int:
    """NEURON's continuerun loop, literally."""
    t, n = 0.0, 0
    while t < tstop - dt / 2:
        t += 0.5 * dt
        t += 0.5 * dt
        n += 1
    return n


def test_step_count_is_the_loops_count():
    rng = random.Random(3)
    cases = [(20.0, 0.025), (0.0, 0.025), (-1.0, 0.1), (1638.4, 0.025), (3000.0, 0.01), (5.0, float("inf"))]
    cases += [(rng.uniform(0, 2000), rng.choice([0.025, 0.01, 0.1, 1 / 3, 0.0125, 0.2])) for _ in range(100)]
    for tstop, dt in cases:
        assert step_count(tstop, dt) == _loop_step_count(tstop, dt), (tstop, dt)


@pytest.mark.parametrize("tstop, dt", [(1e12, 0.025), (100.0, 1e-12), (float("inf"), 0.025)])
def test_too_many_steps_is_refused_at_once(tstop, dt):
    start = time.perf_counter()
    with pytest.raises(BridgeError, match=r"tstop = .* ms at dt = .* ms is .* time steps, more than "
                                          r"Limits\.max_steps = 100000000; raise it with bridge\.Limits\(max_steps="):
        Simulation(Model(models.hh_soma(), tstop=tstop, dt=dt), record=["soma(0.5).v"])
    assert time.perf_counter() - start < 30  # generous: the refusal comes before any counting


def test_max_steps_is_the_exact_count():
    tree = models.hh_soma()
    limits = Limits(max_steps=100)
    assert Simulation(Model(tree, tstop=2.5), limits=limits).nsteps == 100
    with pytest.raises(BridgeError, match=r"is 101 time steps, more than Limits\.max_steps = 100"):
        Simulation(Model(tree, tstop=2.52), limits=limits)
    with pytest.raises(BridgeError, match=r"max_steps"):
        simulate(Model(tree, tstop=5.0), limits=limits)


def test_recording_memory_is_checked_before_the_run():
    tree = models.hh_soma()
    probes = ["soma(0.5).v", "soma(0.5).m_hh", "soma(0.5).ina"]
    need = recording_bytes(200, 3, 8)
    assert need == 201 * (3 * 8 + 8)
    Simulation(Model(tree, tstop=5.0), record=probes, limits=Limits(max_memory=need))
    with pytest.raises(BridgeError, match=r"recording 3 probe\(s\) and t over 201 samples "
                                          r"\(tstop = 5 ms, dt = 0\.025 ms, 200 steps\) needs .* GiB, "
                                          r"more than Limits\.max_memory"):
        Simulation(Model(tree, tstop=5.0), record=probes, limits=Limits(max_memory=need - 1))
    # float32 recordings take half the room
    Simulation(Model(tree, tstop=5.0), record=probes, dtype="float32",
               limits=Limits(max_memory=recording_bytes(200, 3, 4)))


def test_a_vmap_batch_counts_every_member():
    tree = models.hh_soma()
    one = recording_bytes(40, 1, 8)
    sim = Simulation(Model(tree, tstop=1.0), record=["soma(0.5).v"], limits=Limits(max_memory=4 * one))
    base = sim.params()
    amps = jnp.linspace(0.0, 0.3, 4)
    batch = jax.vmap(lambda a: sim.set(base, "amp_IClamp", a))(amps)
    assert jax.vmap(sim.run)(batch).values.shape == (4, 41, 1)
    eight = jax.vmap(lambda a: sim.set(base, "amp_IClamp", a))(jnp.linspace(0.0, 0.3, 8))
    with pytest.raises(BridgeError, match=r"for a batch of 8 needs .*Limits\.max_memory"):
        jax.jit(jax.vmap(sim.run))(eight)
    # nested vmaps multiply: 2 x 3 members
    nested = jax.vmap(jax.vmap(lambda a: sim.set(base, "amp_IClamp", a)))(jnp.ones((2, 3)))
    with pytest.raises(BridgeError, match=r"for a batch of 6 needs"):
        jax.vmap(jax.vmap(sim.run))(nested)
    # the guard stays out of the way of gradients (also of a batch's)
    g = jax.grad(lambda b: jnp.sum(jax.vmap(sim.run)(b).values))(batch)
    assert np.isfinite(np.asarray(g["mechanisms"]["IClamp"]["amp"])).all()
