"""Cold and warm compile with JAX's persistent compilation cache: each case in a new process, twice.

    .venv/bin/python benchmarks/bench_compile_cache.py

For each case a fresh Python process loads the model, then times jit(run).lower(params) (tracing,
never cached) and .compile() (XLA, or a load from the cache), then the first and second run. The
first process starts from an empty cache folder (a temporary BRIDGE_JAX_CACHE_DIR), the second
finds the first one's entries. Cases: the example cell (examples/cell: HOC and its .mod files) and
the 993-compartment hh cell of bench_solver.py (100 ms).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, sys, time
t_start = time.perf_counter()
import jax
import bridge
case = sys.argv[1]
if case == "example":
    hoc = bridge.load_hoc("examples/cell/init.hoc", mechanisms="examples/cell/mod")
    sim = bridge.Simulation(hoc.to_model(), record=["soma(0.5).v"])
else:
    sys.path.insert(0, "benchmarks")
    from bench_solver import branched_cell
    sim = bridge.Simulation(bridge.Model(branched_cell(), tstop=100.0), record=["soma(0.5).v"])
params = sim.params()
t0 = time.perf_counter(); lowered = jax.jit(sim._run).lower(params); lower_s = time.perf_counter() - t0
t0 = time.perf_counter(); compiled = lowered.compile(); compile_s = time.perf_counter() - t0
t0 = time.perf_counter(); jax.block_until_ready(compiled(params).values); run_s = time.perf_counter() - t0
print(json.dumps({"lower": lower_s, "compile": compile_s, "run": run_s, "nnode": int(sim.layout.nnode),
                  "process": time.perf_counter() - t_start}))
"""


def child(case: str, cache: str) -> dict:
    env = {**os.environ, "PYTHONPATH": ROOT, "BRIDGE_JAX_CACHE_DIR": cache}
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, case], capture_output=True, text=True, env=env, cwd=ROOT,
                         check=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t0
    return res


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.2f}; each row a new process; times in s")
    print(f"{'case':<28} {'cache':<5} {'trace':>7} {'compile':>8} {'run':>7} {'process':>8}")
    for case, name in (("example", "example cell (examples/cell)"), ("branched", "993-compartment hh, 100 ms")):
        with tempfile.TemporaryDirectory() as cache:
            for label in ("cold", "warm"):
                r = child(case, cache)
                print(f"{name:<28} {label:<5} {r['lower']:>7.2f} {r['compile']:>8.3f} {r['run']:>7.3f} "
                      f"{r['wall']:>8.2f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
