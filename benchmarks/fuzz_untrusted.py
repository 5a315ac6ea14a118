"""The long fuzz run of untrusted model files: N mutated .mod/.hoc cases in worker processes.

    .venv/bin/python -m benchmarks.fuzz_untrusted --cases 100000 --workers 2 --timeout 20

Each worker (`python -m tests.fuzz.worker SEED`) runs cases one at a time in a sandbox
folder; a worker silent for `--timeout` seconds is killed, its case counted as a hang,
and a fresh worker goes on with the next case. A worker that dies (e.g. killed for
memory) counts its case as a crash. Writes `benchmarks/results/fuzz_untrusted.md`
(counts, and every crash and hang with its case number, reproducible with
`Fuzzer(SEED).case(N)`) and prints the summary.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Worker:
    """One `tests.fuzz.worker` process with a reader thread, so the parent can wait with a timeout."""

    def __init__(self, seed: int, memory: int):
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.fuzz.worker", str(seed), str(memory)], cwd=ROOT,
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def run(self, index: int, timeout: float) -> dict:
        self.proc.stdin.write(f"{index}\n")
        self.proc.stdin.flush()
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            return {"index": index, "status": "hang", "detail": f"no answer within {timeout:g} s"}
        if line is None:
            return {"index": index, "status": "crash", "detail": f"the worker died (exit {self.proc.wait()})"}
        return json.loads(line)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _run_slice(seed: int, indices: range, timeout: float, memory: int, results: list, lock: threading.Lock,
               bar) -> None:
    worker = Worker(seed, memory)
    warm = False
    for index in indices:
        # the first case of a worker also imports JAX and translates the mechanisms: allow for it
        record = worker.run(index, timeout if warm else timeout + 120)
        warm = True
        if record["status"] in ("hang", "crash") and worker.proc.poll() is not None:
            worker = Worker(seed, memory)
            warm = False
        with lock:
            results.append(record)
            if bar is not None:
                bar.update()
    worker.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds one case may take before it is a hang")
    parser.add_argument("--memory", type=float, default=4.0, help="GiB of address space per worker")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fuzz_untrusted.md")
    args = parser.parse_args(argv)
    try:
        from tqdm import tqdm

        bar = tqdm(total=args.cases, unit="case")
    except ImportError:
        bar = None
    results: list[dict] = []
    lock = threading.Lock()
    start = time.time()
    threads = [threading.Thread(target=_run_slice, args=(args.seed, range(w, args.cases, args.workers), args.timeout,
                                                         int(args.memory * 2**30), results, lock, bar))
               for w in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if bar is not None:
        bar.close()
    elapsed = time.time() - start
    report = _report(sorted(results, key=lambda r: r["index"]), args, elapsed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report.split("\n## ")[0])
    return 0 if all(r["status"] in ("ok", "refused") for r in results) else 1


def _report(results: list[dict], args: argparse.Namespace, elapsed: float) -> str:
    counts = Counter(r["status"] for r in results)
    by_kind = Counter((r.get("kind", "?"), r["status"]) for r in results)
    lines = [
        "# Fuzzing untrusted model files",
        "",
        f"`python -m benchmarks.fuzz_untrusted --cases {args.cases} --seed {args.seed} --workers {args.workers} "
        f"--timeout {args.timeout:g}`, {time.strftime('%Y-%m-%d')}, {elapsed / 60:.1f} min on {os.cpu_count()} cores.",
        "",
        f"- cases: {len(results)}",
        f"- accepted (translated or loaded): {counts['ok']}",
        f"- refused with a BridgeError naming where: {counts['refused']}",
        f"- uncaught exceptions, unlocated errors, secrets quoted, files written: {counts['crash']}",
        f"- hangs (no answer within {args.timeout:g} s): {counts['hang']}",
        "",
        "| kind | ok | refused | crash | hang |",
        "|---|---|---|---|---|",
    ]
    for kind in ("mod", "hoc"):
        counts = (str(by_kind[(kind, s)]) for s in ("ok", "refused", "crash", "hang"))
        lines.append(f"| {kind} | " + " | ".join(counts) + " |")
    bad = [r for r in results if r["status"] in ("crash", "hang")]
    if bad:
        lines += ["", "## Crashes and hangs", ""]
        lines += [f"- case {r['index']} ({r.get('kind', '?')} from {r.get('seed_name', '?')}): {r['status']}: "
                  f"{r['detail']}" for r in bad[:200]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
