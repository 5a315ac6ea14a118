"""Running fuzz cases in a sandbox folder, in this process (`Sandbox.run`) or in a worker process.

`python -m tests.fuzz.worker SEED [BYTES]` (BYTES: a cap on the worker's address space) reads case
indices from stdin, one per line, and answers each with one JSON line
`{"index", "status", "detail", "kind", "seed_name"}`; the parent (`benchmarks/fuzz_untrusted.py`) kills
a worker that stays silent past its timeout and records that case as a hang.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from tests.fuzz.mutate import ROOT, SECRET, Case, Fuzzer, Outcome, run_case


class Sandbox:
    """A scratch folder holding a secret file, a sentinel path and one fresh model folder per case."""

    def __init__(self, seed: int = 0):
        self.base = Path(tempfile.mkdtemp(prefix="bridge-fuzz-"))
        self.secret = self.base / "secret.txt"
        self.secret.write_text(SECRET + "\n")
        self.sentinel = self.base / "sentinel"
        self.fuzzer = Fuzzer(seed, sentinel=str(self.sentinel), outside=str(self.secret))
        self.mechanisms = ROOT / "examples" / "cell" / "mod"

    def run(self, index: int) -> tuple[Case, Outcome]:
        case = self.fuzzer.case(index)
        folder = self.base / "model"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        outcome = run_case(case, folder, self.mechanisms)
        written = sorted(p.name for p in folder.iterdir()) + sorted(p.name for p in self.base.iterdir()
                                                                  if p.name not in ("model", "secret.txt"))
        if self.sentinel.exists():
            outcome = Outcome("crash", "the sentinel file was created: a model ran a command or wrote a file")
            self.sentinel.unlink()
        elif written != ["fuzz.mod" if case.kind == "mod" else "init.hoc"]:
            outcome = Outcome("crash", f"files written by the model: {written}")
            for p in self.base.iterdir():
                if p.name not in ("model", "secret.txt"):
                    shutil.rmtree(p) if p.is_dir() else p.unlink()
        return case, outcome

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (int(argv[1]), int(argv[1])))
    sandbox = Sandbox(int(argv[0]) if argv else 0)
    try:
        for line in sys.stdin:
            index = int(line)
            case, outcome = sandbox.run(index)
            print(json.dumps({"index": index, "status": outcome.status, "detail": outcome.detail,
                              "kind": case.kind, "seed_name": case.seed_name}), flush=True)
    finally:
        sandbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
