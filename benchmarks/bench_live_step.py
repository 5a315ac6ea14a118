"""Benchmark: what a HOC live run's step costs when HOC changes the model before every step (issue 14).

A 221-node cell (an hh soma, ten 22-segment passive dendrites) whose own `advance()` sets an IClamp's amplitude
from `m_hh` (a read of the run's state, so every step is simulated at once) and then calls fadvance(): the case
of ModelDB 144482 (`kin.trans = ampasyn.C`). Prints the CPU time of the process per step (process_time: this
machine's other load does not count) over `--steps` steps after a warm-up of the same length (the compiled step
warm), best of `--rounds`, and for reference the same loop with nothing assigned (only the read of m_hh).

    .venv/bin/python benchmarks/bench_live_step.py [--steps 400] [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

CELL = """
load_file("stdrun.hoc")
create soma, dend[10]
soma { L = 20  diam = 20  insert hh }
for i = 0, 9 {
  connect dend[i](0), soma(1)
  dend[i] { L = 400  diam = 2  nseg = 22  insert pas  g_pas = 1e-4  e_pas = -65 }
}
objref stim, vs
soma stim = new IClamp(0.5)
stim.del = 0
stim.dur = 1e9
vs = new Vector()
vs.record(&soma.v(0.5))
proc advance_set() {
  stim.amp = 0.1 + soma.m_hh(0.5) * 0.5
  fadvance()
}
proc advance_read() { x = soma.m_hh(0.5)
  fadvance()
}
x = 0
finitialize(-65)
"""


def per_step(kind: str, steps: int, rounds: int) -> float:
    """Best CPU seconds per step of `steps` calls of advance_<kind>()."""
    from bridge.hoc.session import HocSession

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cell.hoc"
        path.write_text(CELL)
        hoc = HocSession(None, cwd=Path(folder), stdout=io.StringIO())
        hoc.load_file(path)
        loop = f"for k = 1, {steps} {{ advance_{kind}() }}"
        hoc(loop)  # warm: compiled, the device parameters in place
        best = float("inf")
        for _ in range(rounds):
            t = time.process_time()
            hoc(loop)
            best = min(best, (time.process_time() - t) / steps)
        return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for kind in ("set", "read"):
        ms = 1e3 * per_step(kind, args.steps, args.rounds)
        print(f"advance_{kind}: {ms:.3f} ms CPU per step ({args.steps} steps, best of {args.rounds})")


if __name__ == "__main__":
    main()
