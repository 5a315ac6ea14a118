"""bridge.solver.integrate: time grid, vmap, grad, float32, checkpointing and the NaN report."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.errors import SimulationError
from bridge.model import Model, Simulation, simulate
from bridge.solver.integrate import checkpoint_lengths, step_count
from tests.nmodl.parity_child import run_with_parity_arithmetic
from tests.solver import models
from tests.solver.neuron_ref import run_neuron


@pytest.fixture(scope="module")
def hh_sim():
    return Simulation(Model(models.hh_soma(), tstop=20.0), record=["soma(0.5).v"])


def test_step_count_like_continuerun():
    assert step_count(20.0, 0.025) == 800
    assert step_count(0.0, 0.025) == 0
    assert step_count(1.0, 0.1) == 10


@pytest.mark.neuron
def test_sample_grid_is_neurons(hh_sim):
    """801 samples for 20 ms at dt 0.025, t=0 included, NEURON's accumulated t (19.9999999999994 at the end)."""
    tr = hh_sim.run()
    t, _ = run_neuron(models.hh_soma(), [("soma", 0.5, "v")], tstop=20.0)
    assert tr.values.shape == (801, 1)
    assert len(t) == 801
    np.testing.assert_array_equal(np.asarray(tr.t), t)
    assert float(tr.t[0]) == 0.0 and float(tr.t[-1]) == 19.9999999999994


def _vmap_and_separate(sim):
    """Soma v of 16 (IClamp amp, gnabar) sets in one jitted vmap, and of each set run alone: (16, 801, 1) twice."""
    base = sim.params()
    amps = jnp.linspace(0.0, 0.3, 16)
    gnas = jnp.linspace(0.08, 0.16, 16)

    def with_(amp, gna):
        p = sim.set(base, "amp_IClamp", amp)
        return sim.set(p, "gnabar_hh", gna)

    batched = jax.jit(jax.vmap(lambda p: sim.run(p).values))(jax.vmap(with_)(amps, gnas))
    single = np.stack([np.asarray(sim.run(with_(amps[k], gnas[k])).values) for k in range(16)])
    return np.asarray(batched), single


def test_vmap_equals_separate_runs(hh_sim):
    """16 parameter sets in one vmap equal 16 separate runs, under XLA's own arithmetic (the library's).

    Within 1e-9 mV, not bit for bit: with XLA's arithmetic XLA decides kernel by kernel whether `a*b + c`
    becomes one fused multiply-add (one rounding), and the batched program is fused into other kernels than
    the single run, so the last bit may differ (1.4e-14 mV after step 662 when only the step's NaN test
    moved: benchmarks/results/compile_s22_2026-12-07.txt, section 2); a spike amplifies it. Bit-for-bit
    sameness is required where every operation is rounded as written:
    test_vmap_is_bit_for_bit_in_parity_arithmetic. A set mixed up with another, or a parameter not batched,
    differs by millivolts (the sets' peaks span 50 mV)."""
    batched, single = _vmap_and_separate(hh_sim)
    assert batched.shape == (16, 801, 1)
    np.testing.assert_allclose(batched, single, rtol=0, atol=1e-9)
    assert float(np.ptp(batched[:, :, 0].max(axis=1))) > 50  # some spike, some do not


def test_vmap_is_bit_for_bit_in_parity_arithmetic():
    """The same 16 sets in NEURON's arithmetic (no FMA, divisions as written, glibc exp: each operation
    rounded once, as written), where a batched run has no freedom left: every value equals the separate run's."""
    out = run_with_parity_arithmetic(
        "import numpy as np\n"
        "from bridge.model import Model, Simulation\n"
        "from tests.solver import models\n"
        "from tests.solver.test_integrate import _vmap_and_separate\n"
        "sim = Simulation(Model(models.hh_soma(), tstop=20.0), record=['soma(0.5).v'])\n"
        "batched, single = _vmap_and_separate(sim)\n"
        "assert batched.shape == single.shape == (16, 801, 1)\n"
        "assert np.ptp(batched[:, :, 0].max(axis=1)) > 50\n"
        "print('differing values', int(np.sum(batched != single)),\n"
        "      'max |dV|', float(np.max(np.abs(batched - single))))\n"
    )
    assert "differing values 0 max |dV| 0.0" in out


def test_grad_matches_central_difference():
    """d loss / d gnabar (one section of a branched cell) by reverse mode vs a central finite difference."""
    tree = models.branched_hh(nsec=8, seed=2)
    sim = Simulation(Model(tree, tstop=5.0), record=["soma(0.5).v", "dend3(0.5).v"])
    base = sim.params()

    def loss(g):
        p = sim.set(base, "gnabar_hh", g, section="soma")
        v = sim.run(p).values
        return jnp.mean((v + 60.0) ** 2)

    g0 = 0.12
    grad = float(jax.grad(loss)(g0))
    h = 1e-6
    fd = (float(loss(g0 + h)) - float(loss(g0 - h))) / (2 * h)
    assert grad != 0.0
    assert abs(grad - fd) <= 1e-6 * abs(fd), (grad, fd)


def test_grad_wrt_cm_and_stimulus():
    sim = Simulation(Model(models.y_cable(), tstop=8.0), record=["d1(1).v"])
    base = sim.params()

    def loss(p):
        return jnp.sum(sim.run(p).values)

    g = jax.grad(loss)(base)
    assert float(g["cm"][sim.layout.node("d1", 0.5)]) != 0.0
    assert float(g["mechanisms"]["IClamp"]["amp"][0]) > 0.0  # more current, higher v


def test_checkpointed_scan_equals_plain_scan():
    """Nested checkpointed scans (padded to a product of lengths) give the same traces and gradients."""
    tree = models.y_cable()
    plain = Simulation(Model(tree, tstop=10.0), record=["d2(1).v"])
    nested = Simulation(Model(tree, tstop=10.0), record=["d2(1).v"], checkpoint=2)
    assert checkpoint_lengths(399, 2) == (20, 20)  # 400 >= 399 steps: the padded step keeps the carry
    assert plain.nsteps == 400
    np.testing.assert_array_equal(np.asarray(plain.run().values), np.asarray(nested.run().values))
    base = plain.params()

    def grad(sim):
        return jax.jit(jax.grad(lambda g: jnp.sum(sim.run(sim.set(base, "g_pas", g)).values))).lower(1e-3).compile()

    g_nested, g_plain = grad(nested), grad(plain)
    np.testing.assert_allclose(float(g_nested(1e-3)), float(g_plain(1e-3)), rtol=1e-12)
    # reverse-mode memory: the plain scan keeps all 400 steps' carries, the nested one ~20 + 20
    # (plus fixed buffers, which dominate for this 15-node model on a GPU)
    mem_nested = g_nested.memory_analysis().temp_size_in_bytes
    mem_plain = g_plain.memory_analysis().temp_size_in_bytes
    assert 3 * mem_nested < mem_plain, (mem_nested, mem_plain)


@pytest.mark.neuron
def test_float32_error_against_neuron():
    """float32 is a speed mode: its error against NEURON is reported, not held to 1e-9 mV.
    Single precision round-off (~1e-7 relative) on v ~ 65 mV gives ~1e-5 mV per step, which
    accumulates; on a spike upstroke small timing shifts give larger differences."""
    for name, tree, tstop, tol in (("y_pas", models.y_cable(), 14.0, 1e-3), ("hh_soma", models.hh_soma(), 20.0, 0.05)):
        probes = [("soma", 0.5, "v")]
        ours = np.asarray(Simulation(Model(tree, tstop=tstop), record=probes, dtype="float32").run().values)
        assert ours.dtype == np.float32
        _, theirs = run_neuron(tree, probes, tstop=tstop)
        err = np.abs(ours - theirs).max()
        print(f"float32 {name}: max |dV| = {err:.3g} mV")
        assert err < tol


def test_nan_is_reported_with_place_and_time():
    tree = models.y_cable()
    tree.add_point_process("IClamp", "d1", 0.5, **{"del": 5.0, "dur": 1.0, "amp": float("nan")})
    with pytest.raises(SimulationError, match=r"NaN at d1\(0\.5\), t = 5\.025 ms \(step 201"):
        simulate(Model(tree, tstop=8.0), record=["soma(0.5).v"])
    # under an outer vmap the check is the caller's: sim.check(traces)
    sim = Simulation(Model(tree, tstop=8.0), record=["soma(0.5).v"])
    batch = jax.tree.map(lambda x: jnp.stack([x, x]), sim.params())
    batch["mechanisms"]["IClamp"]["amp"] = batch["mechanisms"]["IClamp"]["amp"].at[0, 2].set(0.0)
    traces = jax.vmap(sim.run)(batch)
    with pytest.raises(SimulationError, match="batch member 1"):
        sim.check(traces)

