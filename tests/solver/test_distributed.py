"""Two processes under jax.distributed (coordinator on 127.0.0.1) run one sharded batch.

Each process has one CPU device; the batch's mesh holds both, so each computes its own shard
(JAX's CPU collectives, gloo, gather the results). Both processes get the whole batch, equal bit
for bit to the same batch run by one process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

import bridge
from tests.solver.models import hh_soma
from tests.solver.scale_scripts import BATCH_RUN, DISTRIBUTED_RUN, ROOT, run_script


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_processes_equal_one_process(tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT, "JAX_PLATFORMS": "cpu", "BRIDGE_NO_JAX_CACHE": "1"}
    port = str(_free_port())
    procs = [subprocess.Popen([sys.executable, "-c", DISTRIBUTED_RUN, str(tmp_path / f"p{i}.npy"), str(i), "2", port,
                               str(tmp_path / "sweep")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for i in range(2)]
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [r["process"] for r in results] == [0, 1] and all(r["devices"] == 2 for r in results)
    single = run_script(BATCH_RUN, str(tmp_path / "single.npy"), env={"BRIDGE_NO_JAX_CACHE": "1"})
    assert single["devices"] == 1
    one = np.load(tmp_path / "single.npy")
    for i in range(2):
        assert np.array_equal(np.load(tmp_path / f"p{i}.npy"), one)
    whole = bridge.sweep(_sim(), {"gnabar_hh": np.linspace(0.08, 0.16, 5), "amp_IClamp": [0.05, 0.3]},
                         tmp_path / "sweep1", chunk=4, progress=False)
    for i in range(2):
        assert np.array_equal(np.load(tmp_path / f"p{i}_sweep.npy"), whole.values)
    assert sorted(p.name for p in (tmp_path / "sweep").iterdir()) == [f"chunk_{i:06d}.npz" for i in range(3)] + [
        "sweep.json"]


def _sim():
    return bridge.Simulation(bridge.Model(hh_soma(), tstop=15.0), record=["soma(0.5).v", "soma(0.5).m_hh"])
