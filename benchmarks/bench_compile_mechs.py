"""Trace and compile time of one cell with many density mechanisms, under parity arithmetic or XLA's own.

    .venv/bin/python benchmarks/bench_compile_mechs.py MOD_FOLDER [--n 12] [--rounds 2] [--xla]

Each round runs a new process (JAX's compilation cache off: BRIDGE_NO_JAX_CACHE=1) that inserts the first `n`
SUFFIX mechanisms of MOD_FOLDER (file name order) into one 5-segment soma, then times jit(sim._run) for 20 ms:
.lower() (tracing) and .compile() (XLA), in wall seconds and in CPU seconds of the process (on a loaded
machine the wall time waits for a core; the CPU time is what compiling costs), and the warm run. The model's
files are read where they are (nothing is copied). The best over rounds is printed with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, os, re, sys, time
folder, n, parity = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
if parity:
    from validation.arithmetic import use_neuron_arithmetic
    assert use_neuron_arithmetic()
import jax
import bridge
from bridge.hoc.session import HocSession
suffixes = []
for f in sorted(os.listdir(folder)):
    if f.endswith(".mod"):
        with open(os.path.join(folder, f), errors="replace") as fh:
            m = re.search(r"^\s*SUFFIX\s+(\w+)", fh.read(), re.M)
        if m:
            suffixes.append(m.group(1))
s = HocSession(folder)
s("create soma")
s("soma { nseg = 5 L = 20 diam = 20 }")
for x in suffixes[:n]:
    s("soma insert " + x)
sim = bridge.Simulation(s.model().to_model(tstop=20.0), record=["soma(0.5).v"])
p = sim.params()
t0, c0 = time.perf_counter(), time.process_time()
lowered = jax.jit(sim._run).lower(p)
tl, cl = time.perf_counter() - t0, time.process_time() - c0
t0, c0 = time.perf_counter(), time.process_time()
compiled = lowered.compile()
tc, cc = time.perf_counter() - t0, time.process_time() - c0
jax.block_until_ready(compiled(p).values)
t0 = time.perf_counter(); jax.block_until_ready(compiled(p).values); run = time.perf_counter() - t0
print("RESULT " + json.dumps({"mechanisms": len(suffixes[:n]), "trace wall": tl, "trace cpu": cl,
                              "compile wall": tc, "compile cpu": cc, "run 20 ms": run}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--xla", action="store_true", help="XLA's own arithmetic (the library's default), not parity")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": ROOT, "BRIDGE_NO_JAX_CACHE": "1", "JAX_PLATFORMS": "cpu"}
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        out = subprocess.run([sys.executable, "-c", CHILD, args.folder, str(args.n), "0" if args.xla else "1"],
                             env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        got = json.loads(next(ln for ln in out.splitlines() if ln.startswith("RESULT "))[7:])
        for k, v in got.items():
            best[k] = min(v, best.get(k, v))
    print(f"load average {os.getloadavg()[0]:.2f}; {'XLA arithmetic' if args.xla else 'parity arithmetic'}; "
          f"best of {args.rounds}; seconds")
    for k, v in best.items():
        print(f"{k:<14} {v:>8.3f}")


if __name__ == "__main__":
    main()
