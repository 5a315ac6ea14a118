"""A batch sharded over devices: CPU cores exposed as JAX devices give the same bits as one device.

Every member of a sharded batch equals the one-device batch bit for bit, and both equal the hh
soma's NEURON traces (tests/solver/neuron_ref.py measures them)."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.morphology.tree import SectionTree
from bridge.solver.devices import cpu_devices_from_env, padded, use_cpu_cores
from tests.solver.neuron_ref import run_neuron
from tests.solver.scale_scripts import BATCH_RUN, run_script


def test_padding_repeats_the_last_member():
    batch = {"a": np.arange(5.0), "b": {"c": np.arange(10.0).reshape(5, 2)}}
    out, n = padded(batch, 4)
    assert n == 5 and out["a"].tolist() == [0, 1, 2, 3, 4, 4, 4, 4]
    assert out["b"]["c"][5:].tolist() == [[8, 9]] * 3
    same, n = padded(batch, 5)
    assert n == 5 and same["a"].shape == (5,)


def test_cpu_cores_after_jax_started_are_refused_by_name():
    jax.devices()
    have = len(jax.devices("cpu"))
    assert use_cpu_cores(have) == have  # what the process already has is fine
    with pytest.raises(BridgeError, match="use_cpu_cores"):
        use_cpu_cores(have + 3)
    with pytest.raises(BridgeError, match="BRIDGE_CPU_DEVICES"):
        cpu_devices_from_env({"BRIDGE_CPU_DEVICES": "two"})
    assert cpu_devices_from_env({}) is None


@pytest.mark.slow
@pytest.mark.neuron
def test_two_cpu_devices_give_the_one_device_bits(tmp_path):
    one = run_script(BATCH_RUN, str(tmp_path / "one.npy"), env={"BRIDGE_NO_JAX_CACHE": "1"})
    two = run_script(BATCH_RUN, str(tmp_path / "two.npy"), env={"BRIDGE_NO_JAX_CACHE": "1", "BRIDGE_CPU_DEVICES": "2"})
    assert (one["devices"], two["devices"]) == (1, 2)
    assert one["shape"] == two["shape"] == [5, 601, 2]
    a, b = np.load(tmp_path / "one.npy"), np.load(tmp_path / "two.npy")
    assert np.array_equal(a, b)
    assert len({a[i, -1, 0] for i in range(5)}) == 5  # five different runs, not one repeated
    for i, (g, amp) in enumerate(zip(np.linspace(0.08, 0.16, 5), np.linspace(0.05, 0.3, 5))):
        tree = SectionTree()  # BATCH_RUN's member i, built directly
        tree.section("soma", L=18.8, diam=18.8).insert("hh", gnabar=float(g))
        tree.add_point_process("IClamp", "soma", 0.5, **{"del": 2.0, "dur": 10.0, "amp": float(amp)})
        _, ref = run_neuron(tree, [("soma", 0.5, "v"), ("soma", 0.5, "m_hh")], tstop=15.0)
        assert np.abs(b[i, :, 0] - ref[:, 0]).max() <= 1e-9
        assert np.abs(b[i, :, 1] - ref[:, 1]).max() <= 1e-12
