"""XLA compile options against compile time, run time and numbers: each variant in new processes.

    .venv/bin/python benchmarks/bench_compile_flags.py MOD_FOLDER [--rounds 2] [--xla] [--variant NAME=FLAGS ...]

Cases: the 12-mechanism cell of bench_compile_mechs.py (one 5-segment soma, the first 12 SUFFIX mechanisms of
MOD_FOLDER, 20 ms) and the 993-compartment hh cell of bench_solver.py (100 ms). Each variant adds its flags to
XLA_FLAGS (after bridge's own and, by default, parity arithmetic's) in a new process per round, JAX's compilation
cache off, and times jit(sim._run): .lower() and .compile() in CPU seconds of the process (what compiling costs,
all threads; on a loaded machine the wall time waits for a core) and wall seconds, and the warm run (best of --runs).
Each variant's recorded traces are compared with the first variant's bit for bit (max |dV| and whether every
value is identical). The load average is printed with every row: CPU seconds inflate with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, os, re, sys, time
case, folder, parity, out, nrun = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4], int(sys.argv[5])
if parity:
    from validation.arithmetic import use_neuron_arithmetic
    assert use_neuron_arithmetic()
import jax
import numpy as np
import bridge
if case == "mechs12":
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
    for x in suffixes[:12]:
        s("soma insert " + x)
    s("objref stim")
    s("soma stim = new IClamp(0.5)")
    s("stim.del = 2")
    s("stim.dur = 10")
    s("stim.amp = 0.5")
    sim = bridge.Simulation(s.model().to_model(tstop=20.0), record=["soma(0.1).v", "soma(0.5).v", "soma(0.9).v"])
else:
    sys.path.insert(0, "benchmarks")
    from bench_solver import branched_cell
    sim = bridge.Simulation(bridge.Model(branched_cell(), tstop=100.0),
                            record=["soma(0.5).v", "dend1(0.5).v", "dend30(0.9).v", "dend124(0.5).v"])
p = sim.params()
c0, t0 = time.process_time(), time.perf_counter()
lowered = jax.jit(sim._run).lower(p)
trace_cpu = time.process_time() - c0
c0, t0 = time.process_time(), time.perf_counter()
compiled = lowered.compile()
comp_cpu, comp_wall = time.process_time() - c0, time.perf_counter() - t0
res = compiled(p)
jax.block_until_ready(res.values)
runs = []
for _ in range(nrun):
    t0 = time.perf_counter(); jax.block_until_ready(compiled(p).values); runs.append(time.perf_counter() - t0)
np.save(out, np.stack([np.asarray(v) for v in res.values]))
print("RESULT " + json.dumps({"trace cpu": trace_cpu, "compile cpu": comp_cpu, "compile wall": comp_wall,
                              "run": min(runs), "steps": int(np.asarray(res.t).shape[0])}))
"""


def measure(case: str, folder: str, parity: bool, flags: str, out: str, runs: int = 3) -> dict[str, float]:
    """One new process: the child's timings for `case` with `flags` added to XLA_FLAGS."""
    env = {**os.environ, "PYTHONPATH": ROOT, "BRIDGE_NO_JAX_CACHE": "1", "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": (os.environ.get("XLA_FLAGS", "") + " " + flags).strip()}
    got = subprocess.run([sys.executable, "-c", CHILD, case, folder, "1" if parity else "0", out, str(runs)], env=env,
                         cwd=ROOT, capture_output=True, text=True)
    if got.returncode != 0:
        raise RuntimeError(f"{case} {flags!r}: {got.stderr[-2000:]}")
    return json.loads(next(ln for ln in got.stdout.splitlines() if ln.startswith("RESULT "))[7:])


VARIANTS = {
    "default": "",
    "O2": "--xla_backend_optimization_level=2",
    "O1": "--xla_backend_optimization_level=1",
    "O0": "--xla_backend_optimization_level=0",
    "no-expensive": "--xla_llvm_disable_expensive_passes=true",
    "split1": "--xla_cpu_parallel_codegen_split_count=1",
    "split2": "--xla_cpu_parallel_codegen_split_count=2",
    "fast-compile": "--xla_cpu_opt_preset=CPU_OPT_PRESET_FAST_COMPILE",
    "fast-runtime": "--xla_cpu_opt_preset=CPU_OPT_PRESET_FAST_RUNTIME",
    "no-fusion-emitters": "--xla_cpu_use_fusion_emitters=false",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--xla", action="store_true", help="XLA's own arithmetic (the library's default), not parity")
    ap.add_argument("--cases", default="mechs12,branched")
    ap.add_argument("--runs", type=int, default=3, help="warm runs per process (the best is kept)")
    ap.add_argument("--variant", action="append", default=[],
                    help="NAME (one of the built-in) or NAME=FLAGS; the first is the reference for the numbers")
    args = ap.parse_args()
    chosen = [(v.split("=", 1)[0], v.split("=", 1)[1]) if "=" in v else (v, VARIANTS[v])
              for v in (args.variant or list(VARIANTS))]
    print(f"{'XLA' if args.xla else 'parity'} arithmetic; best of {args.rounds} new processes; CPU and wall seconds;"
          f" |dV| against '{chosen[0][0]}'")
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.cases.split(","):
            print(f"{'case':<9} {'variant':<20} {'load':>5} {'trace cpu':>9} {'compile cpu':>11} {'compile wall':>12} "
                  f"{'run ms/step':>11} {'max |dV|':>9} {'identical':>9}")
            ref = None
            for name, flags in chosen:
                best: dict[str, float] = {}
                for r in range(args.rounds):
                    out = os.path.join(tmp, f"{case}-{name}-{r}.npy")
                    got = measure(case, args.folder, not args.xla, flags, out, args.runs)
                    for k, v in got.items():
                        best[k] = min(v, best.get(k, v))
                values = np.load(out)
                if ref is None:
                    ref = values
                dv = float(np.max(np.abs(values - ref)))
                same = bool(np.array_equal(values, ref, equal_nan=True))
                print(f"{case:<9} {name:<20} {os.getloadavg()[0]:>5.2f} {best['trace cpu']:>9.3f} "
                      f"{best['compile cpu']:>11.3f} {best['compile wall']:>12.3f} "
                      f"{1e3 * best['run'] / best['steps']:>11.5f} {dv:>9.2e} {str(same):>9}", flush=True)


if __name__ == "__main__":
    main()
