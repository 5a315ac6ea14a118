"""Import3d of a large SWC file: bridge's reader vs NEURON's Import3d, timed in the same run.

    .venv/bin/python benchmarks/bench_swc.py [--lines 10000] [--seed 0] [--repeat 3]

Two random, seeded SWC files (3-point soma; dendrites, apical tree and axon that grow
point by point and branch every ~30 points, or every ~2 points as a worst case for the
per-section work) are written to a temporary folder. Timed:
* bridge: `bridge.load_swc(path)` (read + instantiate into a SectionTree), and
  `node_layout` of the result (nseg 1) as extra work;
* NEURON 9: `Import3d_SWC_read().input(path)` + `Import3d_GUI(r, 0).instantiate(None)`
  in a fresh NEURON process (the clock runs inside it, from before `input` to after
  `instantiate`; NEURON's start-up is not counted).
Best of `--repeat`. The goal is <= 1 s for bridge at 10,000 lines (Jaxley's reader
needs about 60 s for that size, as reported in the issue; not run here).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bridge.morphology.nodes import node_layout  # noqa: E402
from bridge.morphology.swc import load_swc  # noqa: E402


def random_swc(lines: int, seed: int, branching: float = 0.03) -> str:
    """An SWC text of `lines` points: 3-point soma at the origin, then trees that grow and
    start a new branch at a point with probability `branching`."""
    rng = np.random.default_rng(seed)
    rows = [(1, 1, 0.0, 0.0, 0.0, 6.0, -1), (2, 1, 0.0, -6.0, 0.0, 6.0, 1), (3, 1, 0.0, 6.0, 0.0, 6.0, 1)]
    pos = {1: np.zeros(3)}
    radius = {1: 6.0}
    kind = {1: 1}
    last = 1
    for i in range(4, lines + 1):
        if last == 1 or rng.random() < branching:  # a new branch off the soma or an existing point
            parent = 1 if (i < 12 or rng.random() < 0.02) else int(rng.integers(4, i))
            t = int(rng.choice([2, 3, 3, 3, 4])) if parent == 1 else kind[parent]
        else:  # the branch goes on
            parent = last
            t = kind[parent]
        step = rng.normal(0, 1, 3)
        step *= rng.uniform(0.5, 6.0) / np.linalg.norm(step)
        pos[i] = pos[parent] + step
        radius[i] = max(0.1, radius[parent] * rng.uniform(0.97, 1.0)) if parent != 1 else float(rng.uniform(0.5, 2))
        kind[i] = t
        last = i
        x, y, z = np.round(pos[i], 4)
        rows.append((i, t, x, y, z, round(radius[i], 4), parent))
    return "\n".join(f"{a} {b} {c} {d} {e} {f} {g}" for a, b, c, d, e, f, g in rows) + "\n"


_NEURON = r"""
import sys, time
from neuron import h
h.load_file("import3d.hoc")
best = 1e9
for _ in range(int(sys.argv[2])):
    for sec in list(h.allsec()):
        h.delete_section(sec=sec)
    t0 = time.perf_counter()
    r = h.Import3d_SWC_read()
    r.quiet = 1
    r.input(sys.argv[1])
    h.Import3d_GUI(r, 0).instantiate(None)
    best = min(best, time.perf_counter() - t0)
print("@@", best, len(list(h.allsec())))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'file (' + str(args.lines) + ' lines)':<30}{'sections':>9}{'NEURON [s]':>12}{'bridge [s]':>12}"
          f"{'ratio':>8}{'layout [s]':>12}")
    worst = 0.0
    for label, branching in (("branch every ~30 points", 0.03), ("branch every ~2 points", 0.5)):
        t_nrn, n_nrn, best, nsec, t_layout = run_case(args, branching)
        worst = max(worst, best)
        assert nsec == n_nrn, (nsec, n_nrn)
        print(f"{label:<30}{nsec:>9}{t_nrn:>12.3f}{best:>12.3f}{best / t_nrn:>8.2f}{t_layout:>12.3f}")
    print(f"goal: bridge.load_swc <= 1 s at 10,000 lines: {'met' if worst <= 1.0 else 'NOT met'} "
          f"(slowest {worst:.3f} s)")


def run_case(args, branching: float):
    """(NEURON s, NEURON sections, bridge s, bridge sections, node_layout s) for one random file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "random.swc")
        with open(path, "w") as fh:
            fh.write(random_swc(args.lines, args.seed, branching))
        best, tree = 1e9, None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = load_swc(path)
            best = min(best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        node_layout(tree)
        t_layout = time.perf_counter() - t0
        proc = subprocess.run([sys.executable, "-c", _NEURON, path, str(args.repeat)], capture_output=True, text=True)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@")]
        if not line:
            sys.exit(f"NEURON failed:\n{proc.stderr[-2000:]}")
        return float(line[0].split()[1]), int(line[0].split()[2]), best, len(tree), t_layout

if __name__ == "__main__":
    main()
