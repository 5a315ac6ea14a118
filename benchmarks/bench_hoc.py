"""Benchmark: bridge.load_hoc of NEURON's pyramid.nrn demo (79 sections, 2,956 3-D points).

Goal: a warm load <= 0.5 s. Prints cold (first call in the process: builds the
LALR parser and reads the .mod catalog) and warm times, and the ratio to NEURON's
own `load_file` of the same file measured in the same run (in a subprocess).

    .venv/bin/python benchmarks/bench_hoc.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path


def neuron_time(path: Path) -> float | None:
    code = (
        "import time, os\n"
        f"os.chdir({str(path.parent)!r})\n"
        "from neuron import h\n"
        "t = time.perf_counter()\n"
        f"h.load_file({str(path)!r})\n"
        "print('T', time.perf_counter() - t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("T ")), None)
    return float(line.split()[1]) if line else None


def main() -> None:
    import neuron

    import bridge

    path = Path(neuron.__file__).resolve().parent / ".data/share/nrn/demo/pyramid.nrn"
    t0 = time.perf_counter()
    bridge.load_hoc(path)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        model = bridge.load_hoc(path)
        warm.append(time.perf_counter() - t0)
    ref = neuron_time(path)
    med = statistics.median(warm)
    print(f"pyramid.nrn: {len(model.tree)} sections")
    print(f"  bridge.load_hoc cold  {cold:8.3f} s")
    print(f"  bridge.load_hoc warm  {med:8.3f} s  (median of 5; goal <= 0.5 s: {'met' if med <= 0.5 else 'MISSED'})")
    if ref is not None:
        print(f"  NEURON load_file      {ref:8.3f} s  (anchor; bridge warm / NEURON = {med / ref:.1f}x)")


if __name__ == "__main__":
    main()
