"""`bridge validate PATH...`: find a model the way a NEURON user would run it, validate it, report.

PATH is a HOC file, a model folder, or a folder of .mod files only (each file
then runs in one compartment: `validation.mechanism_cases`). In a folder the main HOC file is the
first of mosinit.hoc, init.hoc, main.hoc that exists, else the folder's only
.hoc file. The .mod files are `--mechanisms DIR`, else those next to the HOC
file (where users run nrnivmodl), else those of the one subfolder holding .mod
files (e.g. mod/). The HOC runs with the working directory set to its folder,
then each `--statement`. Exit status: 0 when every case passes, 1 otherwise.

The model reads files only inside its folder, the mechanism folder and each
`--allow-read DIR`. It writes files only with `--out DIR`: bridge's into DIR/model-output/,
NEURON's, which runs on a copy of the model folder, moved into DIR/neuron-output/; the two are
compared (`validation.output_files`). NEURON executes the model and is not sandboxed: it starts only
after bridge accepted the model (`validation.preflight`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.errors import BridgeError

if TYPE_CHECKING:
    from validation.case import Case, Tolerance

MAIN_HOC = ("mosinit.hoc", "init.hoc", "main.hoc")

HELP = "run a HOC model (file or folder) in bridge and in NEURON and compare"
DESCRIPTION = ("Run a HOC model in bridge and in NEURON with the same protocol and compare "
               "voltages, spike times, states and geometry. Exit status 1 when a case fails. "
               "WARNING: validation executes the model in NEURON, which is not sandboxed: "
               "NEURON runs whatever the model's HOC and .mod files say. bridge checks first: "
               "it runs the model itself (refusing shell commands, Python, file writes and reads "
               "outside the model folder, the mechanism folder and --allow-read), scans the HOC "
               "files for those also in code bridge never runs, and compiles for NEURON only the "
               ".mod files bridge accepted; NEURON is not started on a model bridge refuses. "
               "These checks are not a sandbox: validate only models you would run in NEURON.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `bridge validate` and `python -m validation validate` (NEURON's names and units)."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="HOC file or model folder (several run in parallel)")
    p.add_argument("--mechanisms", metavar="DIR",
                   help="folder of the model's .mod files (default: found next to the HOC)")
    p.add_argument("--statement", action="append", metavar="HOC",
                   help="HOC run after the file, e.g. 'make_cell(0)' (repeatable)")
    p.add_argument("--tstop", type=float, help="[ms] (default: the model's; 100 with the default steps)")
    p.add_argument("--dt", type=float, help="[ms] (default: the model's)")
    p.add_argument("--v-init", dest="v_init", type=float, help="[mV] (default: the model's)")
    p.add_argument("--celsius", type=float, help="[degC] (default: the model's)")
    p.add_argument("--secondorder", type=int, choices=(0, 1, 2), help="(default: the model's)")
    p.add_argument("--stim", action="append", metavar="SEC(X),DEL,DUR,AMP",
                   help="add an IClamp, e.g. soma(0.5),5,20,0.3 ([ms], [ms], [nA]; repeatable)")
    p.add_argument("--record", action="append", metavar="SEC(X).VAR",
                   help="record, e.g. dend[2](0.5).m_hh (repeatable)")
    p.add_argument("--atol", type=float, help="max |dV| tolerance [mV] (default 1e-9)")
    p.add_argument("--spike-tol", dest="spike_tol", type=float, help="spike-time tolerance [ms] (default 1e-6)")
    p.add_argument("--bridge-mechanisms", dest="bridge_mechanisms", metavar="DIR",
                   help="bridge translates these .mod files instead (check a port against the originals; NEURON "
                        "compiles the originals of the mechanisms used, which bridge does not check)")
    p.add_argument("--allow-read", dest="allow_read", action="append", metavar="DIR",
                   help="a folder (or file) outside the model folder that the model may read, e.g. one that "
                        "load_file(\"../common/x.hoc\") or INCLUDE needs (repeatable)")
    p.add_argument("--out", metavar="DIR",
                   help="write report.md and PNG plots into DIR; the model may then write files: bridge's go into "
                        "DIR/model-output/, NEURON's (run on a copy of the model folder) into DIR/neuron-output/, "
                        "and both are compared (with several PATHs, DIR/<case>/...)")
    p.add_argument("--no-plots", dest="plots", action="store_false", help="write the markdown report without PNGs")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="stop NEURON's side of a case after this long and report it (default 600)")
    p.add_argument("--workers", type=int, help="processes for several PATHs (default: CPUs)")


def find_hoc(path: Path) -> Path:
    """The main HOC file of a model folder (or `path` itself when it is a file)."""
    if path.is_file():
        return path
    if not path.is_dir():
        raise BridgeError(f"no such file or folder: {path}")
    for name in MAIN_HOC:
        if (path / name).is_file():
            return path / name
    hocs = sorted(path.glob("*.hoc"))
    if len(hocs) == 1:
        return hocs[0]
    if not hocs:
        raise BridgeError(f"{path}: no HOC file (looked for {', '.join(MAIN_HOC)} or any *.hoc)")
    names = ", ".join(h.name for h in hocs[:8])
    raise BridgeError(f"{path}: no {', '.join(MAIN_HOC)} and several HOC files ({names}): "
                      f"give the one to run, e.g. bridge validate {hocs[0]}")


def find_mechanisms(folder: Path) -> Path | None:
    """The folder of .mod files a NEURON user would compile for a model in `folder` (None: none)."""
    if any(folder.glob("*.mod")):
        return folder
    subs = sorted({p.parent for p in folder.glob("*/*.mod")})
    if len(subs) == 1:
        return subs[0]
    if len(subs) > 1:
        raise BridgeError(f"{folder}: .mod files in several subfolders ({', '.join(s.name for s in subs)}): "
                          f"choose one with --mechanisms DIR")
    return None


def _tolerance(args: argparse.Namespace) -> Tolerance | None:
    """The options' tolerance (None: none given). Without --atol, v and states are judged against
    NEURON's own round-off too (`Tolerance.roundoff`); --atol is a fixed bound."""
    from validation.case import ROUNDOFF_FACTOR, Tolerance  # here: `bridge --help` does not load JAX

    if args.atol is None and args.spike_tol is None:
        return None
    tolerance = Tolerance(roundoff=ROUNDOFF_FACTOR)
    if args.atol is not None:
        tolerance.max_dv = tolerance.state = args.atol
        tolerance.roundoff = None
    if args.spike_tol is not None:
        tolerance.spike_time = args.spike_tol
    return tolerance


def cases_from_args(path: str | Path, args: argparse.Namespace) -> list[Case]:
    """The validation cases for one PATH and the command-line options: one for a HOC model, two per
    .mod file for a folder of .mod files without HOC (`validation.mechanism_cases`)."""
    from validation.case import ROUNDOFF_FACTOR, Case, IClamp, Protocol, Tolerance  # not at import: JAX

    path = Path(path)
    protocol = Protocol(tstop=args.tstop, dt=args.dt, v_init=args.v_init, celsius=args.celsius,
                        secondorder=args.secondorder, stimuli=[IClamp.parse(s) for s in args.stim or []],
                        recordings=list(args.record or []))
    tolerance = _tolerance(args)
    allow_read = tuple(getattr(args, "allow_read", None) or ())
    timeout = float(getattr(args, "timeout", None) or 600.0)
    if path.is_dir() and not any(path.glob("*.hoc")) and any(path.glob("*.mod")):
        from validation.mechanism_cases import mechanism_cases

        if args.statement:
            raise BridgeError(f"{path}: --statement needs a HOC model; this folder holds only .mod files")
        files = sorted(path.glob("*.mod"))
        cases = mechanism_cases(files, protocol, tolerance, bridge_mechanisms=args.bridge_mechanisms,
                                allow_read=allow_read)
        for case in cases:
            case.timeout = timeout
        return cases
    hoc = find_hoc(path)
    mechanisms = Path(args.mechanisms) if args.mechanisms else find_mechanisms(hoc.parent)
    if mechanisms is not None and not mechanisms.is_dir():
        raise BridgeError(f"--mechanisms {mechanisms}: not a folder")
    name = path.name if path.is_dir() else path.stem
    return [Case(name, hoc=hoc, mechanisms=mechanisms, statements=tuple(args.statement or ()),
                 bridge_mechanisms=args.bridge_mechanisms, protocol=protocol,
                 tolerance=tolerance or Tolerance(roundoff=ROUNDOFF_FACTOR),
                 allow_read=allow_read, timeout=timeout)]


def main(argv: list[str]) -> int:
    """`python -m validation validate ...`: the same command as `bridge validate`."""
    parser = argparse.ArgumentParser(prog="python -m validation validate", description=DESCRIPTION)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except BridgeError as err:
        print(err)
        return 1


def run(args: argparse.Namespace) -> int:
    """Run the cases, print the table (and write the report); 0 only when every case passes."""
    from validation.report import table, write_report
    from validation.suite import run_suite

    cases = [case for p in args.paths for case in cases_from_args(p, args)]
    seen: dict[str, int] = {}
    for case in cases:  # distinct names for distinct paths with the same stem
        seen[case.name] = seen.get(case.name, 0) + 1
        if seen[case.name] > 1:
            case.name = f"{case.name}-{seen[case.name]}"
    if args.out:  # the model's files: validation.output_files
        for case in cases:
            case.output_dir = Path(args.out).resolve() / (case.name if len(cases) > 1 else "")
    results = run_suite(cases, workers=args.workers)
    print(table(results))
    if args.out:
        path = write_report(results, args.out, with_plots=args.plots)
        print(f"report: {path}")
    return 0 if all(r.passed for r in results) else 1
