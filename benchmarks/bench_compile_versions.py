"""Cold trace and compile of three cells under several versions of bridge, back to back, in new processes.

    .venv/bin/python benchmarks/bench_compile_versions.py --root main=/tmp/main --root new=. [--rounds 2]
        [--cases example,mechs12,branched] [--arithmetic xla,parity] [--mechs MOD_FOLDER] [--kernels]

Each row is a new process (JAX's compilation cache off: BRIDGE_NO_JAX_CACHE=1) that imports bridge from the
root named (an exported tree: `git archive COMMIT bridge validation benchmarks | tar -x -C DIR`), builds the case
and times jit(sim._run).lower() (tracing) and .compile() (XLA) in wall and CPU seconds of the process, then the
warm run. The versions alternate case by case within a round, so each pair of rows ran under about the same load
(printed with every row: CPU seconds inflate with the load of the shared machine, wall seconds more). Cases: the
example cell (examples/cell of the root), the 12-mechanism cell of bench_compile_mechs.py (one 5-segment soma,
the first 12 SUFFIX mechanisms of --mechs, 20 ms) and the 993-compartment hh cell of bench_solver.py (100 ms).
Arithmetic: XLA's own (bridge's default as a library) or NEURON's (validation.arithmetic, parity).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, os, re, sys, time
case, parity, folder = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
if parity:
    from validation.arithmetic import use_neuron_arithmetic
    assert use_neuron_arithmetic()
import jax
import bridge
if case == "example":
    hoc = bridge.load_hoc("examples/cell/init.hoc", mechanisms="examples/cell/mod")
    sim = bridge.Simulation(hoc.to_model(), record=["soma(0.5).v"])
elif case == "mechs12":
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
    sim = bridge.Simulation(s.model().to_model(tstop=20.0), record=["soma(0.5).v"])
else:
    sys.path.insert(0, "benchmarks")
    from bench_solver import branched_cell
    sim = bridge.Simulation(bridge.Model(branched_cell(), tstop=100.0), record=["soma(0.5).v"])
p = sim.params()
t0, c0 = time.perf_counter(), time.process_time()
lowered = jax.jit(sim._run).lower(p)
tl, cl = time.perf_counter() - t0, time.process_time() - c0
t0, c0 = time.perf_counter(), time.process_time()
compiled = lowered.compile()
tc, cc = time.perf_counter() - t0, time.process_time() - c0
jax.block_until_ready(compiled(p).values)
t0 = time.perf_counter(); jax.block_until_ready(compiled(p).values); run = time.perf_counter() - t0
print("RESULT " + json.dumps({"trace wall": tl, "trace cpu": cl, "compile wall": tc, "compile cpu": cc, "run": run}))
"""


def measure(root: str, case: str, parity: bool, folder: str, dump: str | None = None) -> dict[str, float]:
    """One new process under `root`: the case's trace, compile and warm run [s]; with `dump` (a folder) XLA
    writes what it compiles there (slower: for the kernel count, not the times)."""
    env = {**os.environ, "PYTHONPATH": root, "BRIDGE_NO_JAX_CACHE": "1", "JAX_PLATFORMS": "cpu"}
    if dump:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + f" --xla_dump_to={dump}").strip()
    out = subprocess.run([sys.executable, "-c", CHILD, case, "1" if parity else "0", folder], env=env, cwd=root,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(next(ln for ln in out.splitlines() if ln.startswith("RESULT "))[7:])


def kernels(root: str, case: str, parity: bool, folder: str) -> int:
    """The LLVM modules XLA's CPU backend compiles for the case (one per kernel; does not depend on the load)."""
    with tempfile.TemporaryDirectory() as dump:
        measure(root, case, parity, folder, dump)
        return len(glob.glob(os.path.join(dump, "*.ir-with-opt.ll")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", action="append", required=True, help="NAME=PATH of a tree with bridge/ (repeat)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cases", default="example,mechs12,branched")
    ap.add_argument("--arithmetic", default="xla,parity")
    ap.add_argument("--mechs", default="/work/modeldb/144482/mechanism/mechanism_cell1")
    ap.add_argument("--kernels", action="store_true", help="first count each version's kernels (one process each)")
    args = ap.parse_args()
    roots = [r.split("=", 1) for r in args.root]
    if args.kernels:
        print("kernels (LLVM modules) per case and arithmetic")
        for case in args.cases.split(","):
            for arith in args.arithmetic.split(","):
                counts = [f"{name} {kernels(os.path.abspath(root), case, arith == 'parity', args.mechs)}"
                          for name, root in roots]
                print(f"  {case:<10}{arith:<8}" + "   ".join(counts), flush=True)
    cols = ("trace wall", "trace cpu", "compile wall", "compile cpu", "run")
    print(f"{'round':<6}{'case':<10}{'arith':<8}{'version':<14}{'load':>6}" + "".join(f"{c:>14}" for c in cols))
    for r in range(args.rounds):
        for case in args.cases.split(","):
            for arith in args.arithmetic.split(","):
                for name, root in roots:
                    row = measure(os.path.abspath(root), case, arith == "parity", args.mechs)
                    print(f"{r:<6}{case:<10}{arith:<8}{name:<14}{os.getloadavg()[0]:>6.2f}"
                          + "".join(f"{row[c]:>14.3f}" for c in cols), flush=True)


if __name__ == "__main__":
    main()
