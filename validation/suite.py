"""Running cases: one at a time (`run_case`) or many in a process pool with a progress bar (`run_suite`).

A case starts on bridge's side (`validation.preflight`: the full HOC pass, the translation of
the mechanisms used, a static scan of the HOC for what bridge refuses): NEURON, which executes
whatever the model says and is not sandboxed, is never started on a model bridge refused; the
case is then reported with status "error" and bridge's message. Then NEURON runs (a subprocess,
`validation.neuron_case`, compiling only the .mod files bridge accepted; it also records what
the HOC's own `Vector.record` calls record), then bridge's simulation in the calling process
(`validation.bridge_case`), then the comparison (with an output folder, of the files the model wrote
on both sides too: `validation.output_files`). A case that cannot run on one side (a HOC
error, an unsupported NMODL construct, a NEURON error) is reported with status "error" and the
message; it never stops the suite. Pools use the "spawn" start method (JAX does not survive fork).
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

from bridge.errors import BridgeError
from validation.case import Case
from validation.compare import Comparison, compare_runs
from validation.outcome import RunOutput
from validation.output_files import FileComparison, compare_case_outputs


@dataclass
class CaseResult:
    """A case's outcome: `status` "pass", "chaotic" (matched NEURON up to the horizon of a run NEURON cannot
    reproduce under one ulp beyond it: `Comparison.chaotic`), "fail" or "error" (with `error`, the message)."""

    case: Case
    status: str
    comparison: Comparison | None = None
    bridge: RunOutput | None = None
    neuron: RunOutput | None = None
    error: str = ""
    files: list[FileComparison] = field(default_factory=list)  # the files the model wrote, both sides

    @property
    def name(self) -> str:
        return self.case.name

    @property
    def passed(self) -> bool:
        return self.status == "pass"


def run_case(case: Case) -> CaseResult:
    """Run `case` on both sides and compare (never raises for a model problem: status "error").
    NEURON starts only after bridge accepted the model (`validation.preflight`)."""
    from validation.bridge_case import run_bridge_case
    from validation.neuron_case import run_neuron_case
    from validation.preflight import preflight

    try:
        checked = preflight(case)
    except BridgeError as exc:
        return CaseResult(case, "error", error=f"bridge: {exc}\n(NEURON was not started: bridge refused the model)")
    except Exception as exc:  # a bug in bridge: NEURON is not started either
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return CaseResult(case, "error", error=f"bridge crashed: {type(exc).__name__}: {exc} "
                                               f"({tb.filename}:{tb.lineno}); NEURON was not started")
    try:
        neuron = run_neuron_case(case, hoc_recordings=checked.hoc_recordings, mod_files=checked.mod_files,
                                 shell_commands=checked.shell_commands,
                                 model_root=checked.model_root)
    except BridgeError as exc:
        return CaseResult(case, "error", error=str(exc))
    try:
        bridge = run_bridge_case(case, neuron)
    except BridgeError as exc:
        return CaseResult(case, "error", neuron=neuron, error=f"bridge: {exc}")
    except Exception as exc:  # a bug in bridge: reported as such, with where it happened
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return CaseResult(case, "error", neuron=neuron,
                          error=f"bridge crashed: {type(exc).__name__}: {exc} ({tb.filename}:{tb.lineno})")
    comparison = compare_runs(bridge, neuron, case.tolerance, case.protocol.spike_threshold)
    files: list[FileComparison] = []
    if case.output_dir is not None:
        files, reasons = compare_case_outputs(case.output_dir, case.tolerance.max_dv)
        comparison.reasons += reasons
    return CaseResult(case, verdict(comparison), comparison, bridge, neuron, files=files)


def verdict(comparison: Comparison) -> str:
    """"pass", "chaotic" or "fail" (`validation.compare.Comparison`)."""
    return "pass" if comparison.passed else "chaotic" if comparison.chaotic else "fail"


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a nicety; without tqdm the suite still runs
        return None
    return tqdm(total=total, desc="validating", unit="case")


def run_suite(cases: Sequence[Case], *, workers: int | None = None, progress: bool = True) -> list[CaseResult]:
    """Run `cases` (in a pool of `workers` processes when more than one; default: CPUs, at most the
    number of cases) and return the results in the order of `cases`."""
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise BridgeError("validation cases need distinct names")
    workers = min(len(cases), workers or os.cpu_count() or 1)
    bar = _progress(len(cases), progress and len(cases) > 1)
    results: dict[str, CaseResult] = {}
    try:
        if workers <= 1:
            for case in cases:
                results[case.name] = run_case(case)
                if bar is not None:
                    bar.update()
        else:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures = {pool.submit(run_case, case): case for case in cases}
                for fut in as_completed(futures):
                    case = futures[fut]
                    try:
                        results[case.name] = fut.result()
                    except Exception as exc:  # the worker died (e.g. out of memory)
                        results[case.name] = CaseResult(case, "error",
                                                        error=f"worker failed: {type(exc).__name__}: {exc}")
                    if bar is not None:
                        bar.update()
    finally:
        if bar is not None:
            bar.close()
    return [results[c.name] for c in cases]
