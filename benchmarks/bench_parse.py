"""Parse benchmark: bridge's NMODL front end next to NEURON's C++ NMODL parser (`neuron.nmodl`).

    .venv/bin/python benchmarks/bench_parse.py [--repeat 5] [--corpus]

For every .mod file shipped in the neuron wheel (and, with --corpus, every file in the
`python -m validation corpus-parse` cache), times `bridge.nmodl.syntax.parse` (text → typed AST)
and `neuron.nmodl`'s `NmodlDriver().parse_string` (text → C++ AST, a fresh driver each time) on the same text, best of
`--repeat` runs each, and prints the median time per file and the ratio. Lexing and
parsing only: no file reading, no symbol tables. The Lark grammar is built once before
timing (its one-off construction time is printed separately).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wheel_files() -> list[Path]:
    spec = importlib.util.find_spec("neuron")
    share = Path(spec.origin).parent / ".data" / "share"
    return sorted((share / "modfile").glob("*.mod")) + sorted((share / "nrn" / "demo" / "release").glob("*.mod"))


def corpus_files() -> list[Path]:
    from validation.corpus import cache_root

    return sorted(p for p in cache_root().rglob("*.mod") if p.is_file())


def best_time(fn, text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--corpus", action="store_true", help="also the PyPI corpus files in the cache")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from bridge.nmodl import parse
    from bridge.nmodl.syntax.parse import _parser

    _parser()
    build = time.perf_counter() - t0

    os.environ.setdefault("NMODLHOME", str(Path(importlib.util.find_spec("neuron").origin).parent / ".data"))
    from neuron.nmodl import dsl

    def nmodl_parse(text: str):
        # a fresh driver per file: one long-lived driver keeps state and slows down file after file
        return dsl.NmodlDriver().parse_string(text)

    sets = [("neuron wheel", wheel_files())]
    if args.corpus:
        sets.append(("PyPI corpus", corpus_files()))
    print(f"bridge grammar build (once per process): {build * 1e3:.0f} ms\n")
    print(f"{'files':14} {'n':>4} {'bridge median':>14} {'neuron.nmodl median':>20} {'ratio':>7} "
          f"{'bridge total':>13} {'nmodl total':>12}")
    for label, files in sets:
        ours, theirs = [], []
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            try:
                parse(text)
                nmodl_parse(text)
            except Exception:
                continue  # compare only files both parsers accept
            ours.append(best_time(parse, text, args.repeat))
            theirs.append(best_time(nmodl_parse, text, args.repeat))
        if not ours:
            continue
        mo, mt = statistics.median(ours), statistics.median(theirs)
        print(f"{label:14} {len(ours):>4} {mo * 1e3:>11.2f} ms {mt * 1e3:>17.2f} ms {mo / mt:>6.2f}x"
              f" {sum(ours) * 1e3:>10.0f} ms {sum(theirs) * 1e3:>9.0f} ms")
    print("\nratio = bridge / neuron.nmodl (below 1: bridge is faster)")


if __name__ == "__main__":
    main()
