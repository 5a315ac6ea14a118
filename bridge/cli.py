"""The `bridge` command line: one subcommand per job.

Bad input never shows a traceback: a `BridgeError` is printed as its message and
the command exits with status 1 (2 for usage errors, as argparse does).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bridge.errors import BridgeError

EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "examples" / "cell"
EXAMPLE_MOD_DIR = EXAMPLE_DIR / "mod"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bridge", description="NEURON models in JAX, proven against NEURON")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="check that .mod files parse (directories are searched recursively)")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help=".mod files or folders holding them")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("demo", help="the main job: the bundled example cell in bridge and in NEURON, compared")
    p.add_argument("--model", type=Path, default=EXAMPLE_DIR, help="model folder (default: examples/cell)")
    p.add_argument("--out", type=Path, default=Path("out/demo"), help="folder for the report and plots (default: out/demo)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("translate", help="print the JAX Python that a .mod file translates to")
    p.add_argument("file", type=Path, metavar="FILE.mod")
    p.add_argument("-o", "--output", type=Path, help="write the Python to this file instead of printing it")
    p.set_defaults(func=_cmd_translate)

    p = sub.add_parser("validate-mod", help="run .mod files in one compartment in bridge and in NEURON and compare")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help=".mod files or folders holding them")
    p.set_defaults(func=_cmd_validate_mod)

    p = sub.add_parser("validate", help="run a HOC model (file or folder) in bridge and in NEURON and compare",
                       description="Run a HOC model in bridge and in NEURON with the same protocol and compare "
                                   "voltages, spike times, states and geometry. Exit status 1 when a case fails. "
                                   "WARNING: validation executes the model in NEURON, which is not sandboxed: "
                                   "NEURON runs whatever the model's HOC and .mod files say. bridge checks first: "
                                   "it runs the model itself (refusing shell commands, Python, file writes and reads "
                                   "outside the model folder, the mechanism folder and --allow-read), scans the HOC "
                                   "files for those also in code bridge never runs, and compiles for NEURON only the "
                                   ".mod files bridge accepted; NEURON is not started on a model bridge refuses. "
                                   "These checks are not a sandbox: validate only models you would run in NEURON.")
    _validate_arguments(p)
    p.set_defaults(func=_cmd_validate)
    return parser


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    """Options of `bridge validate` (NEURON's names and units; also used by `python -m validation validate`)."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="HOC file or model folder (several run in parallel)")
    p.add_argument("--mechanisms", metavar="DIR", help="folder of the model's .mod files (default: found next to the HOC)")
    p.add_argument("--statement", action="append", metavar="HOC",
                   help="HOC run after the file, e.g. 'make_cell(0)' (repeatable)")
    p.add_argument("--tstop", type=float, help="[ms] (default: the model's; 100 with the default steps)")
    p.add_argument("--dt", type=float, help="[ms] (default: the model's)")
    p.add_argument("--v-init", dest="v_init", type=float, help="[mV] (default: the model's)")
    p.add_argument("--celsius", type=float, help="[degC] (default: the model's)")
    p.add_argument("--secondorder", type=int, choices=(0, 1, 2), help="(default: the model's)")
    p.add_argument("--stim", action="append", metavar="SEC(X),DEL,DUR,AMP",
                   help="add an IClamp, e.g. soma(0.5),5,20,0.3 ([ms], [ms], [nA]; repeatable)")
    p.add_argument("--record", action="append", metavar="SEC(X).VAR", help="record, e.g. dend[2](0.5).m_hh (repeatable)")
    p.add_argument("--atol", type=float, help="max |dV| tolerance [mV] (default 1e-9)")
    p.add_argument("--spike-tol", dest="spike_tol", type=float, help="spike-time tolerance [ms] (default 1e-6)")
    p.add_argument("--bridge-mechanisms", dest="bridge_mechanisms", metavar="DIR",
                   help="bridge translates these .mod files instead (check a port against the originals; NEURON "
                        "compiles the originals of the mechanisms used, which bridge does not check)")
    p.add_argument("--allow-read", dest="allow_read", action="append", metavar="DIR",
                   help="a folder (or file) outside the model folder that the model may read, e.g. one that "
                        "load_file(\"../common/x.hoc\") or INCLUDE needs (repeatable)")
    p.add_argument("--out", metavar="DIR", help="write report.md and PNG plots into DIR")
    p.add_argument("--no-plots", dest="plots", action="store_false", help="write the markdown report without PNGs")
    p.add_argument("--workers", type=int, help="processes for several PATHs (default: CPUs)")


def _cmd_validate(args: argparse.Namespace) -> int:
    from validation.command import run

    return run(args)


def _cmd_translate(args: argparse.Namespace) -> int:
    from bridge.nmodl.load import translate

    try:  # as parse_file reads it: UTF-8, undecodable bytes (in comments) replaced, a BOM skipped
        text = args.file.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    except OSError as exc:
        raise BridgeError(f"cannot read {args.file}: {exc.strerror}") from None
    python = translate(text, str(args.file))
    if args.output:
        try:
            args.output.write_text(python)
        except OSError as exc:
            raise BridgeError(f"cannot write {args.output}: {exc.strerror}") from None
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(python)
    return 0


def _cmd_validate_mod(args: argparse.Namespace) -> int:
    from validation.single_mechanism import main

    return main([str(p) for p in mod_files(args.paths)])


def mod_files(paths: list[str | Path]) -> list[Path]:
    """The `.mod` files named by `paths`: files as given, folders searched recursively (sorted)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.mod") if p.is_file()))
        elif path.exists():
            out.append(path)
        else:
            raise BridgeError(f"no such file or folder: {path}")
    return out


def _cmd_parse(args: argparse.Namespace) -> int:
    from bridge.nmodl import parse_file
    from bridge.nmodl.syntax.summary import summary

    files = mod_files(args.paths)
    results = []
    for path in files:
        try:
            program = parse_file(path)
        except BridgeError as err:
            results.append({"file": str(path), "ok": False, "error": str(err)})
        else:
            results.append({"file": str(path), "ok": True, "summary": summary(program)})
    failed = [r for r in results if not r["ok"]]
    if args.json:
        print(json.dumps({"parsed": len(files) - len(failed), "total": len(files), "files": results}, indent=2))
    else:
        for r in failed:  # one line each: file:line:col: syntax error: message
            print(r["error"].splitlines()[0])
        print(f"parsed {len(files) - len(failed)}/{len(files)} files")
    return 0 if not failed and files else 1


def _cmd_demo(args: argparse.Namespace) -> int:
    """Summarise the example's mechanisms, then `bridge validate` it: load the HOC and its
    .mod files, simulate in JAX, run NEURON on the same files, print the comparison and
    write the report with plots."""
    from bridge.nmodl import parse_file
    from bridge.nmodl.syntax.summary import summary_line

    files = mod_files([args.model / "mod"])
    if not files:
        raise BridgeError(f"no .mod files in {args.model / 'mod'}")
    print(f"Mechanisms of the example cell ({args.model / 'mod'}):")
    for path in files:
        print(f"  {path.name}: {summary_line(parse_file(path))}")
    print(f"\nbridge and NEURON on {args.model} (compiling the .mod files for NEURON on first use):")
    return _cmd_validate(build_parser().parse_args(["validate", str(args.model), "--out", str(args.out)]))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BridgeError as err:
        print(err, file=sys.stderr)
        return 1
