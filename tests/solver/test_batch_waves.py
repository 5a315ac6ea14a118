"""Simulation.run_batch in waves (`width` members per device per call): the same traces as one call and as
separate runs, bit for bit in NEURON's arithmetic; the CPU default width from the L2 cache."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.model import Model, Simulation
from bridge.solver.devices import cpu_width, l2_cache_bytes, member_bytes
from tests.nmodl.parity_child import run_with_parity_arithmetic
from tests.solver import models


def _waves_one_call_separate(sim):
    """Soma v of 5 (IClamp amp, gnabar) sets: run_batch in waves of 2 (2, 2, 1 padded), in one call, and
    each set run alone: (5, 601, 1) three times."""
    base = sim.params()
    amps, gnas = np.linspace(0.05, 0.3, 5), np.linspace(0.08, 0.16, 5)

    def with_(amp, gna):
        return sim.set(sim.set(base, "amp_IClamp", amp), "gnabar_hh", gna)

    members = [with_(a, g) for a, g in zip(amps, gnas)]
    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), *members)
    waves = np.asarray(sim.run_batch(stacked, width=2).values)
    one = np.asarray(sim.run_batch(stacked, width=5).values)
    single = np.stack([np.asarray(sim.run(m).values) for m in members])
    return waves, one, single


def test_waves_equal_one_call_and_separate_runs():
    """Under XLA's arithmetic (the library's) within 1e-9 mV (a batched program may fuse `a*b + c` into an FMA
    where the single run does not: tests/solver/test_integrate.py's vmap test); the sets differ by millivolts."""
    sim = Simulation(Model(models.hh_soma(), tstop=15.0), record=["soma(0.5).v"])
    waves, one, single = _waves_one_call_separate(sim)
    assert waves.shape == one.shape == single.shape == (5, 601, 1)
    np.testing.assert_allclose(waves, one, rtol=0, atol=1e-9)
    np.testing.assert_allclose(waves, single, rtol=0, atol=1e-9)
    assert float(np.ptp(waves[:, :, 0].max(axis=1))) > 1  # five different runs, in order


def test_waves_are_bit_for_bit_in_parity_arithmetic():
    out = run_with_parity_arithmetic(
        "import numpy as np\n"
        "from bridge.model import Model, Simulation\n"
        "from tests.solver import models\n"
        "from tests.solver.test_batch_waves import _waves_one_call_separate\n"
        "sim = Simulation(Model(models.hh_soma(), tstop=15.0), record=['soma(0.5).v'])\n"
        "waves, one, single = _waves_one_call_separate(sim)\n"
        "print('differing', int(np.sum(waves != one)), int(np.sum(waves != single)))\n"
    )
    assert "differing 0 0" in out


def test_cpu_width_from_the_cache():
    assert l2_cache_bytes() > 0
    assert cpu_width(94_512, 1 << 20) == 5  # the 993-compartment hh cell's parameters, a 1 MiB L2
    assert cpu_width(10**9, 1 << 20) == 1
    assert cpu_width(272, 1 << 20) == 1927  # one hh soma: wide
    assert member_bytes({"a": np.zeros((4, 10)), "b": {"c": np.zeros(4, np.int32)}}) == 84


def test_width_below_one_is_refused():
    sim = Simulation(Model(models.hh_soma(), tstop=1.0), record=["soma(0.5).v"])
    batch = jax.tree.map(lambda x: jnp.stack([x, x]), sim.params())
    with pytest.raises(BridgeError, match="width"):
        sim.run_batch(batch, width=0)
