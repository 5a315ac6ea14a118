"""Benchmark: HOC statements per second in bridge's interpreter against NEURON's, the same HOC in the same run.

Two loops of ours, each run after finitialize() and one fadvance() (so reads of v come from the live run):

- `dipole`: ModelDB 106551's per-step work (a current dipole summed over every pair of 3-D points of every
  section: `ri(x)`, `v(x)` at two places, `x3d(i)`, `y3d(i)`, `z3d(i)`, arithmetic, `sqrt`), on a cell of 40
  sections with 3-D points (nseg = n3d() - 1, as that model sets it);
- `arith`: plain scalar arithmetic and assignments in a `for` loop (no section reads).

bridge's rate is its own statement count (`Interpreter.statements`, bridge/hoc/budget.py) over the CPU time of
the process (time.process_time: other sessions' load on a shared machine does not count); NEURON's is the same
count over NEURON's CPU time running the same HOC (in a subprocess), so the ratio is the ratio of times.

    .venv/bin/python benchmarks/bench_hoc_statements.py [--reps 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CELL = """
load_file("stdrun.hoc")
create soma, dend[40]
soma { pt3dclear() pt3dadd(0, 0, 0, 20) pt3dadd(20, 0, 0, 20) nseg = 1 insert hh }
for k = 0, 39 {
  connect dend[k](0), soma(1)
  dend[k] {
    pt3dclear()
    for j = 0, 20 { pt3dadd(20 + j * 10, k * 3 + j * 0.5, k - j * 0.25, 2 - j * 0.05) }
    nseg = n3d() - 1
    insert pas  g_pas = 1e-4  e_pas = -65
  }
}
objref stim
soma stim = new IClamp(0.5)
stim.del = 0
stim.dur = 1e9
stim.amp = 0.2
dipx = 0
dipy = 0
dipz = 0
diptot = 0
proc dipole() { local resist, difftens, curr
  dipx = 0  dipy = 0  dipz = 0
  forall for i = 0, n3d() - 2 {
    resist = ri((i + 0.) / (n3d() - 1))
    difftens = v((i + 0.) / (n3d() - 1)) - v((i + 1) / (n3d() - 1))
    curr = difftens / resist
    dipx = dipx + (x3d(i) - x3d(i + 1)) * curr * 0.001
    dipy = dipy + (y3d(i) - y3d(i + 1)) * curr * 0.001
    dipz = dipz + (z3d(i) - z3d(i + 1)) * curr * 0.001
    diptot = sqrt(dipx * dipx + dipy * dipy + dipz * dipz)
  }
}
acc = 0
proc arith() { local k, a, b
  a = 1.5  b = 0
  for k = 1, 2000 {
    b = b + a * k - (k / 3)
    if (b > 1e6) { b = b / 2 }
    acc = acc + b * 1e-9
  }
}
finitialize(-65)
fadvance()
"""


def bridge_rates(folder: Path, reps: int, rounds: int) -> dict[str, tuple[float, int]]:
    """{loop: (best CPU seconds for `reps` calls, statements counted)} in bridge."""
    from bridge.hoc.session import HocSession

    path = folder / "cell.hoc"
    hoc = HocSession(None, cwd=folder, stdout=io.StringIO())
    hoc.load_file(path)
    out = {}
    for name in ("dipole", "arith"):
        loop = f"for rep = 1, {reps} {{ {name}() }}"
        hoc(loop)  # warm
        best, count = float("inf"), 0
        for _ in range(rounds):
            before = hoc._interp.statements
            t = time.process_time()
            hoc(loop)
            best = min(best, time.process_time() - t)
            count = hoc._interp.statements - before
        out[name] = (best, count)
    out["values"] = (float(hoc.diptot), 0)
    return out


def neuron_times(folder: Path, reps: int, rounds: int) -> dict[str, float] | None:
    """{loop: best CPU seconds for `reps` calls} in NEURON (a subprocess), and diptot."""
    code = (
        "import time, os\n"
        f"os.chdir({str(folder)!r})\n"
        "from neuron import h\n"
        "h.load_file('cell.hoc')\n"
        "for name in ('dipole', 'arith'):\n"
        f"    loop = 'for rep = 1, {reps} {{ %s() }}' % name\n"
        "    h(loop)\n"
        "    best = min((lambda t: (h(loop), time.process_time() - t)[1])(time.process_time())"
        f" for _ in range({rounds}))\n"
        "    print('T', name, best)\n"
        "print('V', h.diptot)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    found = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "T":
            found[parts[1]] = float(parts[2])
        elif parts and parts[0] == "V":
            found["values"] = float(parts[1])
    return found or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "cell.hoc").write_text(CELL)
        ours = bridge_rates(folder, args.reps, args.rounds)
        ref = neuron_times(folder, args.reps, args.rounds)
    print(f"HOC statements per second, {args.reps} calls per round, best of {args.rounds} (CPU time); "
          f"load average {os.getloadavg()[0]:.1f}")
    for name in ("dipole", "arith"):
        secs, count = ours[name]
        line = f"  {name:7s} bridge {count / secs / 1e6:6.3f} M/s ({secs:.3f} s, {count} statements)"
        if ref is not None and name in ref:
            line += f"   NEURON {ref[name]:.4f} s   bridge / NEURON = {secs / ref[name]:.0f}x"
        print(line)
    if ref is not None and "values" in ref:
        print(f"  diptot after the loops: bridge {ours['values'][0]!r}, NEURON {ref['values']!r}")


if __name__ == "__main__":
    main()
