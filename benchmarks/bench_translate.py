"""Translation benchmark: .mod → JAX Python (parse + analyse + codegen), next to NEURON's nocmodl.

    .venv/bin/python benchmarks/bench_translate.py [--repeat 5]

For every .mod file of the neuron wheel and of examples/cell/mod that bridge
translates, times `bridge.nmodl.load.translate` (best of --repeat) and, as
the anchor measured in the same run, NEURON's `nocmodl` translating the same
file to C++ (a subprocess, so its time includes process start-up). Prints the
median ms per file and the ratio. Files bridge refuses are listed with why.
The Lark grammar is built once before timing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def files() -> list[Path]:
    spec = importlib.util.find_spec("neuron")
    share = Path(spec.origin).parent / ".data" / "share"
    root = Path(__file__).resolve().parent.parent
    return (sorted((share / "modfile").glob("*.mod")) + sorted((share / "nrn" / "demo" / "release").glob("*.mod"))
            + sorted((root / "examples" / "cell" / "mod").glob("*.mod")))


def nocmodl_time(path: Path, repeat: int) -> float | None:
    data = Path(importlib.util.find_spec("neuron").origin).parent / ".data"
    exe = data / "bin" / "nocmodl"
    if not exe.exists():
        return None
    env = {**os.environ, "MODLUNIT": str(data / "share" / "nrn" / "lib" / "nrnunits.lib")}
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, tmp)
        for _ in range(repeat):
            t0 = time.perf_counter()
            proc = subprocess.run([str(exe), path.name], cwd=tmp, capture_output=True, env=env)
            best = min(best, time.perf_counter() - t0)
            if proc.returncode != 0:
                return None
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from bridge.errors import BridgeError
    from bridge.nmodl.load import translate
    from bridge.nmodl.syntax.parse import _parser

    _parser()
    ours, theirs, refused = [], [], []
    for path in files():
        text = path.read_text()
        try:
            translate(text, str(path))
        except BridgeError as exc:
            refused.append((path.name, str(exc).splitlines()[0].split(": ", 2)[-1]))
            continue
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            translate(text, str(path))
            best = min(best, time.perf_counter() - t0)
        anchor = nocmodl_time(path, args.repeat)
        ours.append(best)
        if anchor is not None:
            theirs.append(anchor)
        nocmodl_ms = anchor * 1e3 if anchor else float("nan")
        print(f"  {path.name:14s} bridge {best * 1e3:7.2f} ms   nocmodl {nocmodl_ms:7.2f} ms")
    m_ours = statistics.median(ours) * 1e3
    print(f"translated {len(ours)} files; median {m_ours:.2f} ms per file (parse + analyse + codegen)")
    if theirs:
        m_theirs = statistics.median(theirs) * 1e3
        print(f"nocmodl (anchor, subprocess): median {m_theirs:.2f} ms per file; "
              f"ratio bridge/nocmodl = {m_ours / m_theirs:.2f}")
    for name, why in refused:
        print(f"  refused {name}: {why}")


if __name__ == "__main__":
    main()
