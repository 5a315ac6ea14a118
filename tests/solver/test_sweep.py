"""bridge.sweep: a grid run in chunks, saved chunk by chunk, resumed after an interruption.

An interrupted sweep (a callback raising after its first chunk) resumed in the same folder gives
the same bits as an uninterrupted one; a changed grid is refused; points match NEURON."""

from __future__ import annotations

import numpy as np
import pytest

import bridge
from bridge.errors import BridgeError
from bridge.morphology.tree import SectionTree
from bridge.param_sweep import grid_points
from tests.solver.models import hh_soma
from tests.solver.neuron_ref import run_neuron

GRID = {"gnabar_hh": [0.08, 0.12, 0.16], "amp_IClamp": [0.05, 0.2]}


class Stop(Exception):
    pass


def _sim():
    return bridge.Simulation(bridge.Model(hh_soma(), tstop=8.0), record=["soma(0.5).v", "soma(0.5).m_hh"])


def test_the_grid_is_the_product_with_the_last_name_fastest():
    names, grid = grid_points({"a": [1, 2], ("b", "soma"): [10, 20, 30]})
    assert names == ("a", "b@soma")
    assert grid.tolist() == [[1, 10], [1, 20], [1, 30], [2, 10], [2, 20], [2, 30]]
    with pytest.raises(BridgeError, match="at least one value"):
        grid_points({"a": []})


@pytest.mark.neuron
def test_an_interrupted_sweep_resumes_to_the_same_bits(tmp_path):
    sim = _sim()
    whole = bridge.sweep(sim, GRID, tmp_path / "whole", chunk=4, progress=False)
    assert whole.values.shape == (6, 321, 2) and whole.grid.shape == (6, 2)

    def stop_after_first(i, n):
        assert n == 2
        raise Stop

    with pytest.raises(Stop):
        bridge.sweep(sim, GRID, tmp_path / "cut", chunk=4, progress=False, on_chunk=stop_after_first)
    assert sorted(p.name for p in (tmp_path / "cut").iterdir()) == ["chunk_000000.npz", "sweep.json"]
    seen = []
    resumed = bridge.sweep(sim, GRID, tmp_path / "cut", chunk=4, progress=False,
                           on_chunk=lambda i, n: seen.append(i))
    assert seen == [1]  # the finished chunk was not run again
    assert np.array_equal(resumed.values, whole.values) and np.array_equal(resumed.grid, whole.grid)
    assert np.array_equal(bridge.load_sweep(tmp_path / "cut").values, whole.values)
    assert sorted(p.name for p in (tmp_path / "cut").iterdir()) == ["chunk_000000.npz", "chunk_000001.npz",
                                                                     "sweep.json"]
    # point 5 (gnabar 0.16, amp 0.2) in NEURON
    tree = SectionTree()
    tree.section("soma", L=18.8, diam=18.8).insert("hh", gnabar=0.16)
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 2.0, "dur": 10.0, "amp": 0.2})
    _, ref = run_neuron(tree, [("soma", 0.5, "v"), ("soma", 0.5, "m_hh")], tstop=8.0)
    assert np.abs(whole["soma(0.5).v"][5] - ref[:, 0]).max() <= 1e-9


def test_a_different_grid_or_chunk_in_the_same_folder_is_refused(tmp_path):
    sim = _sim()
    with pytest.raises(Stop):
        bridge.sweep(sim, GRID, tmp_path, chunk=4, progress=False, on_chunk=lambda i, n: (_ for _ in ()).throw(Stop))
    with pytest.raises(BridgeError, match="grid_sha256"):
        bridge.sweep(sim, {**GRID, "amp_IClamp": [0.05, 0.3]}, tmp_path, chunk=4, progress=False)
    with pytest.raises(BridgeError, match="chunk"):
        bridge.sweep(sim, GRID, tmp_path, chunk=3, progress=False)
    other = bridge.Simulation(bridge.Model(hh_soma(amp=0.3), tstop=8.0), record=["soma(0.5).v", "soma(0.5).m_hh"])
    with pytest.raises(BridgeError, match="params_sha256"):
        bridge.sweep(other, GRID, tmp_path, chunk=4, progress=False)
