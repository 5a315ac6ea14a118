"""Corpus mode for event-driven point processes: every POINT_PROCESS with a NET_RECEIVE, driven by a NetStim.

`python -m validation corpus-events [--packages P ...] [--wheel-only] [--workers N] [--out FILE]`
takes the `.mod` files of the `neuron` wheel and of the PyPI packages of `validation.corpus` (the same
files as `python -m validation corpus`), keeps the point processes with a NET_RECEIVE block, and runs
each one on a one-compartment hh cell (L = diam = 20 um): a NetStim at 20 Hz (start 5 ms, interval
50 ms, number 10) into the point process through a NetCon (weight 0.001, delay 1 ms), dt 0.025 ms,
tstop 500 ms, every parameter at its default. NEURON runs the file compiled by nrnivmodl (its own
built-in for NEURON's names); bridge runs its translation with its own NetStim (docs/events.md). Pass:
max |dV| <= 1e-9 mV (1e-6 mV where NEURON iterates to a tolerance, as validation.single_mechanism).
Each file runs in its own subprocess with a timeout. The report (markdown) counts per package how many
point processes translate, run (both simulators) and match.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from validation.corpus_validate import package_files, run_worker, wheel_files

TSTOP, DT = 500.0, 0.025  # [ms]
STIM = {"start": 5.0, "interval": 50.0, "number": 10, "noise": 0.0}  # 20 Hz
WEIGHT, DELAY = 0.001, 1.0  # NetCon weight (the synapse's units, uS for most), delay [ms]

_NEURON_SCRIPT = r'''
import json, sys
from neuron import h
case = json.loads(sys.stdin.read())
for lib in case["libraries"]:
    h.nrn_load_dll(lib)
soma = h.Section(name="soma")
soma.L = soma.diam = 20.0
soma.insert("hh")
pp = getattr(h, case["name"])(soma(0.5))
ns = h.NetStim()
for k, v in case["stim"].items():
    setattr(ns, k, v)
nc = h.NetCon(ns, pp)
nc.weight[0], nc.delay = case["weight"], case["delay"]
vec = h.Vector()
vec.record(soma(0.5)._ref_v)
h.dt, h.celsius = case["dt"], 6.3
h.finitialize(-65.0)
for _ in range(case["nsteps"]):
    h.fadvance()
print(json.dumps({"v": list(vec)}))
'''


@dataclass
class EventRecord:
    """One file: status 'pass', 'fail', 'unsupported', 'error', 'NEURON refuses' or 'timeout'."""

    package: str
    file: str
    name: str = ""
    translated: bool = False
    ran: bool = False
    status: str = "error"
    reason: str = ""
    max_dv: float = float("nan")  # [mV]
    tolerance: float = 1e-9


def is_driven_point_process(path: Path) -> bool:
    """A POINT_PROCESS with a NET_RECEIVE block (parsed by bridge; a file it cannot parse is not counted)."""
    from bridge.errors import BridgeError
    from bridge.nmodl import ast, parse_file

    try:
        program = parse_file(path)
    except BridgeError:
        return False
    return program.neuron.kind == "POINT_PROCESS" and any(isinstance(b, ast.NetReceiveBlock)
                                                           for b in program.items)


def neuron_v(name: str, libraries: list[str], nsteps: int, timeout: float = 300.0) -> np.ndarray:
    """v at the soma in NEURON, one value per step (finitialize's included)."""
    case = {"name": name, "libraries": libraries, "stim": STIM, "weight": WEIGHT, "delay": DELAY, "dt": DT,
            "nsteps": nsteps}
    with tempfile.TemporaryDirectory(prefix="bridge-neuron-") as tmp:  # an empty cwd: no stray x86_64/ loaded
        proc = subprocess.run([sys.executable, "-P", "-c", _NEURON_SCRIPT], input=json.dumps(case),
                              capture_output=True, text=True, timeout=timeout, cwd=tmp)
    if proc.returncode != 0:
        from bridge.errors import BridgeError

        raise BridgeError("NEURON run failed: " + " | ".join(proc.stderr.strip().splitlines()[-3:])[:300])
    return np.asarray(json.loads(proc.stdout[proc.stdout.index("{"):])["v"])


def bridge_v(mech) -> np.ndarray:
    """v at the soma in bridge, the same cell and drive."""
    from bridge.model import Model, Simulation
    from bridge.morphology.tree import SectionTree
    from bridge.solver.network import ArtificialCell, NetCon, Network

    tree = SectionTree()
    tree.section("soma", L=20.0, diam=20.0).insert("hh")
    tree.add_point_process(mech.name, "soma", 0.5)
    net = Network(cells=(ArtificialCell("NetStim", dict(STIM)),),
                  netcons=(NetCon(("cell", 0), ("point", 0), weight=(WEIGHT,), delay=DELAY),))
    model = Model(tree, mechanisms={mech.name: mech}, dt=DT, tstop=TSTOP, celsius=6.3, v_init=-65.0, network=net)
    traces = Simulation(model, record=["soma(0.5).v"]).run(check=False)
    return np.asarray(traces.values)[:, 0]


def inspect_file(package: str, path: Path, rel: str) -> EventRecord:
    """Translate, run in both simulators and compare one file."""
    from bridge.errors import BridgeError, UnsupportedFeature
    from bridge.nmodl.load import load_mod
    from validation.neuron_run import NEURON_BUILTINS, compile_mod_files
    from validation.single_mechanism import ITERATIVE, _methods

    rec = EventRecord(package, rel)
    try:
        mech = load_mod(path)
    except UnsupportedFeature as err:
        rec.status, rec.reason = "unsupported", str(err).splitlines()[0]
        return rec
    except BridgeError as err:
        rec.reason = str(err).splitlines()[0]
        return rec
    rec.name, rec.translated = mech.name, True
    try:
        rec.tolerance = 1e-6 if any(m in ITERATIVE for m in _methods(path)) else 1e-9
        libs = [] if mech.name in NEURON_BUILTINS else [str(compile_mod_files([path]))]
    except BridgeError as err:
        rec.status, rec.reason = "NEURON refuses", str(err).splitlines()[0][:200]
        return rec
    try:
        ours = bridge_v(mech)
        theirs = neuron_v(mech.name, libs, len(ours) - 1)
    except UnsupportedFeature as err:
        rec.status, rec.reason = "unsupported", str(err).splitlines()[0]
        return rec
    except Exception as err:  # noqa: BLE001 - one row per file, whatever went wrong
        rec.reason = f"{type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}"
        return rec
    rec.ran = True
    if ours.shape != theirs.shape:
        rec.reason = f"bridge gave {ours.shape[0]} samples, NEURON {theirs.shape[0]}"
        return rec
    diff = np.where(np.isnan(ours) != np.isnan(theirs), np.inf, np.nan_to_num(np.abs(ours - theirs)))
    rec.max_dv = float(diff.max())
    rec.status = "pass" if rec.max_dv <= rec.tolerance else "fail"
    return rec


def run_one(package: str, path: Path, rel: str, timeout: float) -> EventRecord:
    """`inspect_file` in a fresh subprocess (`corpus_validate.run_worker`: a crash or a hang costs one row)."""
    result, status, why = run_worker("validation.corpus_events", package, path, rel, timeout)
    if result is None:
        return EventRecord(package, rel, status=status, reason=why)
    return EventRecord(**result)


def markdown_report(records: list[EventRecord], seconds: float) -> str:
    """Per package: point processes with NET_RECEIVE, translated, ran, matched; then one row per file."""
    packages = list(dict.fromkeys(r.package for r in records))
    out = ["# Corpus: event-driven point processes, bridge against NEURON 9.0.2", "",
           f"Each POINT_PROCESS with a NET_RECEIVE on a one-compartment hh cell, driven by a NetStim at 20 Hz "
           f"(start {STIM['start']:g} ms, {STIM['number']} events), NetCon weight {WEIGHT:g}, delay {DELAY:g} ms, "
           f"dt {DT} ms, tstop {TSTOP:g} ms (`python -m validation corpus-events`, {seconds:.0f} s). "
           "Match: max |dV| <= 1e-9 mV (1e-6 mV for derivimplicit/sparse).", "",
           "| package | point processes | translate | run | match |", "|---|---|---|---|---|"]
    for p in packages + ["total"]:
        rs = [r for r in records if p in ("total", r.package)]
        out.append(f"| {p} | {len(rs)} | {sum(r.translated for r in rs)} | {sum(r.ran for r in rs)} | "
                   f"{sum(r.status == 'pass' for r in rs)} |")
    out += ["", "| package | file | mechanism | status | max abs dV (mV) | reason |", "|---|---|---|---|---|---|"]
    for r in records:
        dv = "" if np.isnan(r.max_dv) else f"{r.max_dv:.2e}"
        out.append(f"| {r.package} | {r.file} | {r.name} | {r.status} | {dv} | {r.reason.replace('|', '/')[:140]} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    from validation.corpus import DEFAULT_PACKAGES, cache_root

    ap = argparse.ArgumentParser(prog="python -m validation corpus-events", description=__doc__.splitlines()[0])
    ap.add_argument("--one", nargs=3, metavar=("PACKAGE", "FILE", "REL"), help=argparse.SUPPRESS)
    ap.add_argument("--packages", nargs="*", default=list(DEFAULT_PACKAGES))
    ap.add_argument("--wheel-only", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--out", type=Path, default=None, help="markdown report file")
    args = ap.parse_args(argv)
    if args.one:
        from validation.arithmetic import use_neuron_arithmetic

        use_neuron_arithmetic()  # bridge's side rounds as NEURON's build does, as `python -m validation`
        package, path, rel = args.one
        print(json.dumps(asdict(inspect_file(package, Path(path), rel))), flush=True)
        return 0
    start = time.perf_counter()
    jobs = list(wheel_files())
    if not args.wheel_only:
        for p in args.packages:
            files, err = package_files(p, cache_root())
            if err:
                print(f"{p}: {err}", file=sys.stderr)
            jobs += files
    jobs = [j for j in jobs if is_driven_point_process(j[1])]
    with ThreadPoolExecutor(max(1, args.workers)) as pool:
        records = list(pool.map(lambda j: run_one(*j, args.timeout), jobs))
    for r in records:
        print(f"{r.package}: {r.file}: {r.status} {'' if np.isnan(r.max_dv) else f'{r.max_dv:.2e}'} {r.reason}",
              flush=True)
    report = markdown_report(records, time.perf_counter() - start)
    print(report)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report)
    return 0 if all(r.status == "pass" for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
