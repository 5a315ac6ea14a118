"""One model of the ModelDB sweep, classified: bridge first, NEURON only on what bridge accepted.

`run_model(folder, model, deadline)` builds the `validate` case of the model (`validation.case.Case`, as
`bridge validate` builds it), runs bridge's side up to the run (`validation.preflight.preflight`), and
returns a record (a dict, JSON-ready) with `status`:

- "NO-ENTRY": no HOC file to run (`validation.models_catalog.discover`); nothing ran;
- "REFUSED": bridge refused the model (a `BridgeError`: `error_class`, `message`); NEURON never started (but for a
  `ParserStop` NEURON did not confirm: `neuron_started` says so);
- "BRIDGE-CRASH": bridge failed with another exception before NEURON (a bug); NEURON never started;
- "NEURON-COMPILE": nrnivmodl failed on the .mod files bridge accepted;
- "NEURON-ERROR": NEURON failed loading or running the model (or ran out of time); also a model bridge
  stopped on a statement hoc's parser refuses (`bridge.hoc.parse_names.ParserStop`) when NEURON, run with the
  same checks and guards, stops with a syntax error on the same line (`validation.neuron_stops`);
- "NOT-HEADLESS": the HOC built no section (its menu builds the cell when a button is pressed: the list
  needs the button's statements for this model); bridge finds it first, and NEURON is not started;
- "BRIDGE-ERROR": NEURON ran, bridge's simulation did not (a `BridgeError` or a crash);
- "PASS" / "FAIL": both ran; `max_dv` [mV] and the comparison's reasons (`validation.compare`);
- "CHAOTIC": both ran; NEURON's own round-off changes its spikes, and bridge matched NEURON before that
  horizon (`horizon` [ms], `horizon_fraction` of tstop, `horizon_dv` [mV]; `message` says it in words).

The parent (`validation.models_sweep`) runs this module in a subprocess per model with a wall-clock limit
(`python -m validation.models_run JOB.json OUT.json`), and reads `OUT.json`; the subprocess writes the
phase it is in (`bridge`, `neuron`, `bridge-run`) to `OUT.json.phase`, so a model killed at the limit is
reported as a TIMEOUT in that phase.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bridge.errors import BridgeError
from validation.models_catalog import ModelEntry, discover

NEURON_STARTED = "neuron_started"  # the record's key: True once run_neuron_case was called
NO_SECTIONS = "the model has no sections"  # bridge's preflight and validation.neuron_case: a model that built nothing


def first_line(text: str, limit: int = 300) -> str:
    """The first non-empty line of `text`, at most `limit` characters."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""


def reason_key(error_class: str, message: str) -> str:
    """The refusal reason of a message, for counting: file names, numbers and quoted names replaced."""
    text = first_line(message, 400)
    text = re.sub(r"^\S+:\d+(:\d+)?:\s*", "", text)  # a location prefix
    text = re.sub(r"(?:[\w./-]*/)?[\w.-]+\.(?:mod|hoc|ses|oc|tem|inc|nrn|swc|asc|dat|txt)\b", "<file>", text)
    text = re.sub(r"(?<![\w/])/[^\s,;:)]+", "<path>", text)  # absolute paths
    text = re.sub(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"", "<name>", text)  # not the apostrophe of "NEURON's"
    text = re.sub(r"\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b", "N", text)
    return f"{error_class}: {text[:160]}"


def refusal(exc: BridgeError, folder: Path | None = None) -> tuple[str, str]:
    """(message, reason) of a refusal. A mechanism the HOC could not use (`bridge.hoc.catalog`: "mechanism X
    (file) cannot be used:" and the translator's error on the next line) is counted by the translator's error; a
    message whose first line ends with ":" (the static scan's, `validation.hoc_scan`) by its next line."""
    text = str(exc)
    if folder is not None:  # paths relative to the model folder
        text = text.replace(f"{folder.resolve()}/", "")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):  # the construct is on the next line
        label = "mechanism" if lines[0].endswith("cannot be used:") else type(exc).__name__
        return f"{lines[0][:160]} {lines[1]}"[:400], reason_key(label, lines[1])
    return first_line(text), reason_key(type(exc).__name__, getattr(exc, "message", text))


def _set_phase(phase_file: Path | None, phase: str) -> None:
    if phase_file is not None:
        phase_file.write_text(phase)


def _crash(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" ({tb[-1].filename}:{tb[-1].lineno})" if tb else ""
    return f"{type(exc).__name__}: {first_line(str(exc))}{where}"


def make_case(folder: Path, model: ModelEntry, output_dir: Path | None = None):
    """The validation case of `model` in `folder`, as `bridge validate FOLDER --out` builds it (round-off-aware
    tolerance included), with the list's entry, mechanisms, statements and tstop; the model's files go into
    `output_dir`. The model may read anywhere in its own folder (`allow_read`), not only under its entry's
    folder: an entry in a subfolder loads shared files beside it (ModelDB 83319's NEURON/coba/init.hoc loads
    `../common/init.hoc`, as its README runs it)."""
    from validation.case import ROUNDOFF_FACTOR, Case, Protocol, Tolerance

    hoc, mechanisms = discover(folder, model)
    return Case(model.id, hoc=hoc, mechanisms=mechanisms, statements=model.statements,
                protocol=Protocol(tstop=model.tstop), output_dir=output_dir, allow_read=(folder,),
                tolerance=Tolerance(roundoff=ROUNDOFF_FACTOR))


def run_model(folder: Path, model: ModelEntry, deadline: float = math.inf,
              phase_file: Path | None = None, output_dir: Path | None = None) -> dict[str, Any]:
    """Classify one model (see the module docstring); `deadline` is a `time.monotonic()` value for NEURON's
    run (at most 600 s from its start, as `bridge validate`); the model's files go into `output_dir` and are
    compared (`validation.output_files`: the record's `files`). Never raises for a model problem."""
    from bridge.hoc.parse_names import ParserStop
    from validation import neuron_case, neuron_stops
    from validation.bridge_case import run_bridge_case
    from validation.compare import compare_runs
    from validation.preflight import preflight
    from validation.suite import verdict

    start = time.monotonic()
    rec: dict[str, Any] = {"id": model.id, NEURON_STARTED: False}

    def done(status: str, **more: Any) -> dict[str, Any]:
        rec.update(status=status, seconds=round(time.monotonic() - start, 1), **more)
        return rec

    try:
        case = make_case(folder, model, output_dir)
    except BridgeError as exc:
        return done("NO-ENTRY", error_class=type(exc).__name__, message=first_line(str(exc)))
    rec["entry"] = str(Path(case.hoc).relative_to(folder.resolve()))
    rec["mechanisms"] = str(Path(case.mechanisms).resolve().relative_to(folder.resolve())) if case.mechanisms else ""
    _set_phase(phase_file, "bridge")
    try:
        checked = preflight(case)
    except BridgeError as exc:
        message, reason = refusal(exc, folder)
        if NO_SECTIONS in str(exc):  # bridge built no cell, so NEURON is not started (the model builds it from a menu)
            return done("NOT-HEADLESS", message=message)
        if isinstance(exc, ParserStop):  # the model's own HOC error if NEURON stops there too (neuron_stops)
            _set_phase(phase_file, "neuron")
            started, neuron_error = neuron_stops.confirm(case, exc, max(min(deadline - time.monotonic(), 600.0), 1.0))
            rec[NEURON_STARTED] = started
            if neuron_error is not None and not neuron_error.startswith("elsewhere: "):
                return done("NEURON-ERROR", message=f"bridge and NEURON stop at the same line: {message}",
                            detail=neuron_error[:300])
            if started:  # not on bridge's line: refused, with what NEURON did
                rec["neuron_detail"] = f"NEURON stops {neuron_error}"[:300] if neuron_error else "NEURON runs past it"
        return done("REFUSED", error_class=type(exc).__name__, message=message, reason=reason)
    except Exception as exc:  # a bug in bridge; NEURON is not started either
        return done("BRIDGE-CRASH", error_class=type(exc).__name__, message=_crash(exc),
                    reason=f"crash: {type(exc).__name__}")
    _set_phase(phase_file, "neuron")
    rec[NEURON_STARTED] = True
    try:
        neuron = neuron_case.run_neuron_case(case, timeout=max(min(deadline - time.monotonic(), 600.0), 1.0),
                                             hoc_recordings=checked.hoc_recordings, mod_files=checked.mod_files,
                                             model_root=checked.model_root, shell_commands=checked.shell_commands)
    except BridgeError as exc:
        text = getattr(exc, "message", str(exc))
        status = "NEURON-COMPILE" if text.startswith("nrnivmodl") else "NEURON-ERROR"
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        detail = next((ln for ln in lines if "error" in ln.lower() and ln is not lines[0]), lines[-1] if lines else "")
        if NO_SECTIONS in text:  # neither side built a cell: the model builds it from a GUI menu
            status = "NOT-HEADLESS"
        return done(status, message=first_line(text), detail=detail[:300])
    _set_phase(phase_file, "bridge-run")
    try:
        bridge = run_bridge_case(case, neuron)
    except BridgeError as exc:
        message, reason = refusal(exc, folder)
        return done("BRIDGE-ERROR", error_class=type(exc).__name__, message=message, reason=reason)
    except Exception as exc:
        return done("BRIDGE-ERROR", error_class=type(exc).__name__, message=_crash(exc),
                    reason=f"crash: {type(exc).__name__}")
    cmp = compare_runs(bridge, neuron, case.tolerance, case.protocol.spike_threshold)
    if case.output_dir is not None:
        from validation.output_files import compare_case_outputs

        files, reasons = compare_case_outputs(case.output_dir, case.tolerance.max_dv)
        cmp.reasons += reasons
        rec["files"] = {f.name: f.status for f in files}
    tstop = float(neuron.settings.get("tstop", 0.0))
    if cmp.horizon is not None:
        rec.update(horizon=cmp.horizon, horizon_fraction=cmp.horizon / tstop if tstop > 0 else None,
                   horizon_dv=cmp.horizon_dv, horizon_why=cmp.horizon_why)
    if cmp.chaotic:
        rec["message"] = cmp.chaotic_verdict(tstop)
    return done(verdict(cmp).upper(), max_dv=float(cmp.max_dv), spike_counts=list(cmp.spike_counts),
                reasons=[first_line(r) for r in cmp.reasons][:5], tstop=tstop,
                roundoff_dv=cmp.roundoff_dv, rerun_dv=cmp.rerun_dv, dv_bound=cmp.dv_bound,
                roundoff_lead=cmp.roundoff_lead, roundoff_refused=cmp.roundoff_refused,
                neuron_seconds=round(neuron.seconds, 2), bridge_seconds=round(bridge.seconds, 2))


def main(argv: list[str]) -> int:
    """`python -m validation.models_run JOB.json OUT.json`: JOB holds folder, model (ModelEntry's fields) and
    the deadline in seconds from now; the record goes to OUT."""
    from validation.arithmetic import use_neuron_arithmetic

    use_neuron_arithmetic()  # bridge's side rounds as NEURON's build does (no FMA, divisions as written)
    job_path, out_path = Path(argv[0]), Path(argv[1])
    job = json.loads(job_path.read_text())
    data = dict(job["model"])
    data["statements"] = tuple(data.get("statements", ()))
    model = ModelEntry(**data)
    deadline = time.monotonic() + float(job.get("seconds", math.inf))
    output_dir = Path(job["output_dir"]) if job.get("output_dir") else None
    rec = run_model(Path(job["folder"]), model, deadline, phase_file=out_path.with_name(out_path.name + ".phase"),
                    output_dir=output_dir)
    out_path.write_text(json.dumps(rec, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
