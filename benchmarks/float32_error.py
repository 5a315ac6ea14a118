"""float32 against float64: the same model run in both, max |dV| [mV] and spike times [ms].

    .venv/bin/python benchmarks/float32_error.py

Cases: the example cell (examples/cell, 1000 ms), an hh soma firing tonically (0.2 nA, 1000 ms,
80 spikes) and the 993-compartment hh cell of bench_solver.py (100 ms, IClamp at the soma). Spikes
are upward crossings of -20 mV at the soma on the step grid. Results:
benchmarks/results/float32_error_cpu_2026-12-07.txt; docs/numerics.md section 12.
"""

from __future__ import annotations

import dataclasses
import json
import sys

import numpy as np

import bridge

sys.path.insert(0, "benchmarks")
from bench_solver import branched_cell  # noqa: E402  (a sibling script, not a package)


def spikes(t: np.ndarray, v: np.ndarray, threshold: float = -20.0) -> np.ndarray:
    """Times [ms] of the steps where v first reaches `threshold` [mV] from below."""
    up = np.flatnonzero((v[:-1] < threshold) & (v[1:] >= threshold))
    return t[up + 1]


def cases() -> dict[str, bridge.Model]:
    example = bridge.load_hoc("examples/cell/init.hoc", mechanisms="examples/cell/mod").to_model()
    soma = bridge.SectionTree()
    soma.section("soma", L=20, diam=20).insert("hh")
    soma.add_point_process("IClamp", "soma", 0.5, **{"del": 5.0, "dur": 1e9, "amp": 0.2})
    big = branched_cell()
    big.add_point_process("IClamp", "soma", 0.5, **{"del": 5.0, "dur": 90.0, "amp": 10.0})
    return {"example cell (examples/cell), 1000 ms": dataclasses.replace(example, tstop=1000.0),
            "hh soma, 0.2 nA tonic, 1000 ms": bridge.Model(soma, tstop=1000.0),
            "993-compartment hh cell, IClamp 10 nA 5-95 ms": bridge.Model(big, tstop=100.0)}


def compare(model: bridge.Model) -> dict:
    """float32's soma trace against float64's."""
    runs = {}
    for dtype in ("float64", "float32"):
        sim = bridge.Simulation(model, record=["soma(0.5).v"], dtype=dtype)
        traces = sim.run(sim.params())
        t = np.asarray(traces.t, float)
        runs[dtype] = (t, np.asarray(traces.values, float).reshape(len(t), -1)[:, 0])
    (t, v64), (_, v32) = runs["float64"], runs["float32"]
    s64, s32 = spikes(t, v64), spikes(t, v32)
    n = min(len(s64), len(s32))
    return {"tstop": float(t[-1]), "max_dv_mV": float(np.max(np.abs(v64 - v32))),
            "rms_dv_mV": float(np.sqrt(np.mean((v64 - v32) ** 2))), "spikes64": len(s64), "spikes32": len(s32),
            "max_spike_dt_ms": float(np.max(np.abs(s64[:n] - s32[:n]))) if n else None}


def main() -> None:
    for name, model in cases().items():
        print(name, json.dumps(compare(model)), flush=True)


if __name__ == "__main__":
    main()
