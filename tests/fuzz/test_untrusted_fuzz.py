"""Fuzzing untrusted model files: a few thousand mutated .mod and .hoc files, each either accepted or
refused with a BridgeError naming where; no other exception, no hang, no file written, no secret read.

The long run (100,000 cases, in worker processes with a hang watchdog) is
`benchmarks/fuzz_untrusted.py`; its results are in `benchmarks/results/`.
"""

from __future__ import annotations

import signal
import time

import pytest

from tests.fuzz.mutate import Outcome
from tests.fuzz.worker import Sandbox

CASES = 3000
SECONDS_PER_CASE = 5.0  # [s of this process's CPU time] a case that takes longer is a hang (FUZZ_LIMITS make hostile
# cases fail in well under 1 s). CPU time, not wall time: other processes on a loaded machine do not count (a case that
# takes 1.5 s alone took 14 s of wall time beside a test run and a sweep), while a hang spins and is still caught.


class _Hang(BaseException):
    pass


def _alarm(signum, frame):
    raise _Hang()


@pytest.mark.slow
def test_mutated_model_files_fail_only_with_bridge_errors():
    sandbox = Sandbox(seed=20261206)
    old = signal.signal(signal.SIGPROF, _alarm)
    bad: list[str] = []
    counts: dict[str, int] = {}
    try:
        for index in range(CASES):
            signal.setitimer(signal.ITIMER_PROF, SECONDS_PER_CASE)
            start = time.process_time()
            try:
                case, outcome = sandbox.run(index)
            except _Hang:
                case, outcome = sandbox.fuzzer.case(index), Outcome("hang", f"over {SECONDS_PER_CASE} s")
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            if outcome.status in ("crash", "hang"):
                cpu = time.process_time() - start
                bad.append(f"case {index} ({case.kind} from {case.seed_name}, {cpu:.1f} s CPU): "
                           f"{outcome.status}: {outcome.detail}\n    input: {case.text[:300]!r}")
    finally:
        signal.signal(signal.SIGPROF, old)
        sandbox.close()
    assert counts.get("refused", 0) > CASES // 10  # the mutations reach the checks
    assert counts.get("ok", 0) > CASES // 20  # and some mutants are still valid models
    assert not bad, f"{len(bad)} of {CASES} cases escaped ({counts}):\n" + "\n".join(bad[:20])
