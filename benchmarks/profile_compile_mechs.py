"""Where the compile time of a many-mechanism cell goes: program sizes at each stage, per mechanism.

    .venv/bin/python benchmarks/profile_compile_mechs.py MOD_FOLDER [--only a,b] [--n 12] [--each] [--xla]

The cell of bench_compile_mechs.py (one 5-segment soma, the first `n` SUFFIX mechanisms of MOD_FOLDER in
file-name order, or those `--only` names; `--each`: every one of them alone, and none) under parity
arithmetic (`--xla`: XLA's own, bridge's default as a library), jit(sim._run) for 20 ms, one new process
per row (JAX's compilation cache off). Per row: trace and compile CPU seconds (time.process_time),
StableHLO lines after tracing, optimized HLO lines, XLA fusions and custom calls, and what XLA's CPU
backend hands to LLVM (from --xla_dump_to): the LLVM modules (one per kernel) and their lines before and
after LLVM's optimization. The counts do not depend on the machine's load, so they compare two versions of
bridge where the CPU seconds of a loaded VM cannot.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, os, re, sys, time
folder, names = sys.argv[1], [n for n in sys.argv[2].split(",") if n]
if sys.argv[3] == "parity":
    from validation.arithmetic import use_neuron_arithmetic
    assert use_neuron_arithmetic()
import jax
import bridge
from bridge.hoc.session import HocSession
s = HocSession(folder)
s("create soma")
s("soma { nseg = 5 L = 20 diam = 20 }")
for x in names:
    s("soma insert " + x)
sim = bridge.Simulation(s.model().to_model(tstop=20.0), record=["soma(0.5).v"])
p = sim.params()
c0 = time.process_time()
lowered = jax.jit(sim._run).lower(p)
trace = time.process_time() - c0
text = lowered.as_text()
c0 = time.process_time()
compiled = lowered.compile()
comp = time.process_time() - c0
hlo = compiled.as_text()
print("RESULT " + json.dumps({"trace cpu": trace, "compile cpu": comp, "stablehlo lines": text.count("\n"),
                              "hlo lines": hlo.count("\n"), "fusions": len(re.findall(r" fusion\(", hlo)),
                              "custom calls": hlo.count("custom-call(")}))
"""


def suffixes(folder: str) -> list[str]:
    """The SUFFIX names of the folder's .mod files, in file-name order."""
    import re

    out = []
    for f in sorted(os.listdir(folder)):
        if f.endswith(".mod"):
            with open(os.path.join(folder, f), errors="replace") as fh:
                m = re.search(r"^\s*SUFFIX\s+(\w+)", fh.read(), re.M)
            if m:
                out.append(m.group(1))
    return out


def measure(folder: str, names: list[str], arithmetic: str = "parity") -> dict[str, float]:
    """One process: the row for the cell with `names` inserted."""
    with tempfile.TemporaryDirectory() as dump:
        env = {**os.environ, "PYTHONPATH": ROOT, "BRIDGE_NO_JAX_CACHE": "1", "JAX_PLATFORMS": "cpu",
               "XLA_FLAGS": (os.environ.get("XLA_FLAGS", "") + f" --xla_dump_to={dump}").strip()}
        out = subprocess.run([sys.executable, "-c", CHILD, folder, ",".join(names), arithmetic], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        row = json.loads(next(ln for ln in out.splitlines() if ln.startswith("RESULT "))[7:])
        for kind in ("no-opt", "with-opt"):
            files = glob.glob(os.path.join(dump, f"*.ir-{kind}.ll"))
            lines = 0
            for f in files:
                with open(f, errors="replace") as fh:
                    lines += sum(1 for _ in fh)
            row[f"llvm {kind} lines"] = lines
            if kind == "with-opt":
                row["llvm modules"] = len(files)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--only", default="", help="comma list of SUFFIX names (instead of the first n)")
    ap.add_argument("--each", action="store_true", help="also each mechanism alone, and none")
    ap.add_argument("--xla", action="store_true", help="XLA's arithmetic (bridge's default) instead of parity")
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n] or suffixes(args.folder)[:args.n]
    rows = [("all", names)]
    if args.each:
        rows = [("none", [])] + [(n, [n]) for n in names] + rows
    cols = ("trace cpu", "compile cpu", "stablehlo lines", "hlo lines", "fusions", "custom calls", "llvm modules",
            "llvm no-opt lines", "llvm with-opt lines")
    arithmetic = "xla" if args.xla else "parity"
    print(f"load average {os.getloadavg()[0]:.2f}; {arithmetic} arithmetic; one process per row")
    print(f"{'mechanisms':<12}" + "".join(f"{c:>20}" for c in cols))
    for label, chosen in rows:
        row = measure(args.folder, chosen, arithmetic)
        print(f"{label:<12}" + "".join(f"{row[c]:>20.3f}" if isinstance(row[c], float) else f"{row[c]:>20}"
                                       for c in cols), flush=True)


if __name__ == "__main__":
    main()
