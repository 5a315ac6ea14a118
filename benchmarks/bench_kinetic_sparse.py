"""A KINETIC scheme's cost in bridge: one compartment (9 segments) with hh and a KINETIC mechanism, 100 ms at
dt 0.025 with secondorder 2: the first run (compiling included; set BRIDGE_NO_JAX_CACHE=1) and five warm runs.

    python benchmarks/bench_kinetic_sparse.py MOD_FILE SUFFIX GBAR_NAME [LABEL]

e.g. `/work/modeldb/145672/Kv4_csiosi.mod kv4csiosi gmax` (benchmarks/results/modeldb_145672_s23k_2026-12-07.md).
Run it for the two versions one after the other, in one shell, and give the load average with the numbers."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import bridge

CELL = """create soma
soma {{ L = 20  diam = 20  nseg = 9  insert hh  insert {suffix}  {gbar}_{suffix} = 0.01 }}
objref stim
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 50
stim.amp = 0.3
secondorder = 2
tstop = 100
"""


def main(mod: str, suffix: str, gbar: str, label: str = "") -> None:
    work = Path(tempfile.mkdtemp())
    (work / "mod").mkdir()
    shutil.copy(mod, work / "mod")
    (work / "cell.hoc").write_text(CELL.format(suffix=suffix, gbar=gbar))
    t0 = time.perf_counter()
    hoc = bridge.load_hoc(str(work / "cell.hoc"), mechanisms=str(work / "mod"))
    sim = bridge.Simulation(hoc.to_model(), record=["soma(0.5).v"])
    params = sim.params()
    sim.run(params)["soma(0.5).v"].block_until_ready()
    first = time.perf_counter() - t0
    warm = []
    for _ in range(5):
        t = time.perf_counter()
        v = sim.run(params)["soma(0.5).v"]
        v.block_until_ready()
        warm.append(time.perf_counter() - t)
    print(f"{label}: first run (compile) {first:.1f} s, warm runs {min(warm) * 1e3:.0f}-{max(warm) * 1e3:.0f} ms, "
          f"load {os.getloadavg()[0]:.1f}, vmax {float(v.max()):.6f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
