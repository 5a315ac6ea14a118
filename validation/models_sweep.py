"""`python -m validation models DIR`: the ModelDB sweep, model by model, bridge first, NEURON second.

    python -m validation models /work/modeldb [--list FILE] [--only ID ...] [--out DIR] [--timeout S] [--resume]

For each model of the list (`validation/models/modeldb.toml`, `validation.models_catalog`) whose folder
`DIR/<id>` exists, a subprocess (`python -m validation.models_run`) classifies the model
(`validation.models_run`: PASS, FAIL with max |dV|, REFUSED with the construct, a NEURON-side failure, ...);
NEURON is never started on a model bridge refused. The subprocess gets `--timeout` seconds for both sides
together (default 300); past it, its process group is killed and the model is a TIMEOUT in the phase it was in.
Each model's record is written to `OUT/results/<id>.json` as soon as it is known, so `--resume` skips the
models already done. The files a model writes go to `OUT/files/<id>/` (bridge's in `model-output/`, NEURON's,
run on a copy of the model folder, in `neuron-output/`) and are compared, as `bridge validate --out` does. At
the end (and with `--render`, from the records alone) `OUT/report.md` holds the
table per model and the counts by status and by refusal reason (`validation.models_report`).

The models are published code: bridge checks them as `bridge validate` does, but NEURON, which runs the
accepted ones, is not sandboxed. Run the sweep only on models you would run in NEURON yourself.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bridge.errors import BridgeError
from validation.models_catalog import DEFAULT_LIST, ModelEntry, load_list, select

DEFAULT_OUT = Path.home() / ".cache" / "bridge" / "modeldb"
DEFAULT_TIMEOUT = 300.0


def record_path(out: Path, model_id: str) -> Path:
    return out / "results" / f"{model_id}.json"


def run_one(folder: Path, model: ModelEntry, timeout: float, log: Path | None = None,
            output_dir: Path | None = None) -> dict[str, Any]:
    """The record of one model, from a subprocess limited to `timeout` seconds (its process group is killed
    past it: NEURON's subprocess and nrnivmodl with it); the model's files go into `output_dir` (None: writes
    refused), as `bridge validate --out` puts them (`validation.output_files`)."""
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bridge-sweep-") as tmp:
        job, out = Path(tmp) / "job.json", Path(tmp) / "out.json"
        job.write_text(json.dumps({"folder": str(folder.resolve()), "model": model.__dict__ | {
            "statements": list(model.statements)}, "seconds": max(timeout - 15.0, 1.0),
            "output_dir": str(output_dir.resolve()) if output_dir is not None else None}))
        sink = open(log, "a") if log is not None else subprocess.DEVNULL  # noqa: SIM115 (closed below)
        try:
            proc = subprocess.Popen([sys.executable, "-P", "-m", "validation.models_run", str(job), str(out)],
                                    cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink,
                                    start_new_session=True)
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the group this call started, and nothing else
                proc.wait()
                code = None
        finally:
            if log is not None:
                sink.close()
        seconds = round(time.monotonic() - start, 1)
        if out.exists():
            return json.loads(out.read_text())
        phase_file = out.with_name(out.name + ".phase")
        phase = phase_file.read_text() if phase_file.exists() else "start"
        started = phase in ("neuron", "bridge-run")
        if code is None:
            return {"id": model.id, "status": "TIMEOUT", "phase": phase, "seconds": seconds,
                    "neuron_started": started, "message": f"over {timeout:g} s (in phase {phase})"}
        return {"id": model.id, "status": "BRIDGE-CRASH" if not started else "BRIDGE-ERROR", "phase": phase,
                "seconds": seconds, "neuron_started": started,
                "message": f"the model's subprocess exited with status {code} in phase {phase}",
                "reason": f"crash: exit status {code}"}


def sweep(root: Path, models: list[ModelEntry], out: Path, timeout: float, resume: bool,
          echo=print) -> list[dict[str, Any]]:
    """Run each model whose folder exists under `root` (skipping those with a record when `resume`)."""
    (out / "results").mkdir(parents=True, exist_ok=True)
    records = []
    for i, model in enumerate(models, 1):
        path = record_path(out, model.id)
        if resume and path.exists():
            records.append(json.loads(path.read_text()))
            continue
        folder = root / model.id
        if not folder.is_dir():
            echo(f"[{i}/{len(models)}] {model.id}: no folder {folder}, skipped")
            continue
        rec = run_one(folder, model, timeout, log=out / "results" / f"{model.id}.log",
                      output_dir=out / "files" / model.id)
        rec["why"] = model.why
        if "entry" not in rec:  # killed before it said: the entry as the subprocess finds it
            rec["entry"] = _entry(folder, model)
        path.write_text(json.dumps(rec, indent=1))
        records.append(rec)
        extra = f" max|dV|={rec['max_dv']:.3g}" if "max_dv" in rec else ""
        echo(f"[{i}/{len(models)}] {model.id}: {rec['status']}{extra} ({rec.get('seconds', 0)} s) "
             f"{rec.get('message', '')[:120]}")
    return records


def _entry(folder: Path, model: ModelEntry) -> str:
    from validation.models_catalog import discover

    try:
        return str(discover(folder, model)[0].relative_to(folder))
    except (BridgeError, ValueError):
        return ""


def load_records(out: Path, models: list[ModelEntry]) -> list[dict[str, Any]]:
    """The records written so far for `models`, in list order."""
    return [json.loads(record_path(out, m.id).read_text()) for m in models if record_path(out, m.id).exists()]


def main(argv: list[str]) -> int:
    from validation.models_report import write_report

    p = argparse.ArgumentParser(prog="python -m validation models", description=__doc__.split("\n\n")[0])
    p.add_argument("root", metavar="DIR", help="folder holding one folder per model, named by its id")
    p.add_argument("--list", default=str(DEFAULT_LIST), help="the model list (TOML)")
    p.add_argument("--only", nargs="+", default=[], metavar="ID", help="run only these models")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="records and report.md (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="[s] per model, both sides together")
    p.add_argument("--resume", action="store_true", help="skip the models that have a record in --out")
    p.add_argument("--render", action="store_true", help="only rebuild report.md from the records")
    p.add_argument("--copy-to", metavar="FILE", help="also write the report to FILE (e.g. benchmarks/results/...)")
    args = p.parse_args(argv)
    try:
        models = select(load_list(args.list), args.only)
        out = Path(args.out)
        if not args.render:
            sweep(Path(args.root), models, out, args.timeout, args.resume)
        records = load_records(out, models)
        report = write_report(records, out / "report.md", timeout=args.timeout)
        if args.copy_to:
            Path(args.copy_to).write_text(report.read_text())
    except BridgeError as exc:
        print(exc)
        return 2
    print(f"report: {report}")
    return 0
