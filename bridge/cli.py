"""The `bridge` command line: one subcommand per job (`parse`, `translate`, `run`, `validate`, `validate-mod`).

`validate` and `validate-mod` are the `validation` package's commands: this module imports
them inside functions, the one place (with `bridge.testing`) where bridge reaches into
validation. Bad input never shows a traceback: a `BridgeError` is printed as its message and
the command exits with status 1 (2 for usage errors, as argparse does).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bridge.errors import BridgeError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bridge", description="NEURON models in JAX, proven against NEURON")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="check that .mod files parse (directories are searched recursively)")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help=".mod files or folders holding them")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("translate", help="print the JAX Python that a .mod file translates to")
    p.add_argument("file", type=Path, metavar="FILE.mod")
    p.add_argument("-o", "--output", type=Path, help="write the Python to this file instead of printing it")
    p.set_defaults(func=_cmd_translate)

    p = sub.add_parser("validate-mod", help="run .mod files in one compartment in bridge and in NEURON and compare")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help=".mod files or folders holding them")
    p.set_defaults(func=_cmd_validate_mod)

    p = sub.add_parser("run", help="run a HOC model (file or folder) as NEURON would, in bridge: its printed output, "
                                   "its recorded Vectors (.npz) and a plot")
    p.add_argument("path", metavar="PATH", help="HOC file or model folder (mosinit.hoc, init.hoc, main.hoc)")
    p.add_argument("--mechanisms", metavar="DIR", help="folder of the model's .mod files (default: found next to "
                                                       "the HOC, as bridge validate finds them)")
    p.add_argument("--statement", action="append", metavar="HOC", help="HOC run after the file (repeatable)")
    p.add_argument("--allow-read", dest="allow_read", action="append", metavar="DIR",
                   help="a folder outside the model folder that the model may read (repeatable)")
    p.add_argument("--out", metavar="DIR", help="write vectors.npz (the recorded Vectors by HOC name, with the "
                                                "time of each sample) and traces.png into DIR, and the files the "
                                                "model writes (File.wopen, Vector.printf, ...) into DIR/model-output "
                                                "(without --out the model's writes are refused)")
    p.set_defaults(func=_cmd_run)

    from validation import command as validate  # the command owns its options; validation depends on bridge

    p = sub.add_parser("validate", help=validate.HELP, description=validate.DESCRIPTION)
    validate.add_arguments(p)
    p.set_defaults(func=_cmd_validate)
    return parser


def _cmd_validate(args: argparse.Namespace) -> int:
    from validation.arithmetic import use_neuron_arithmetic
    from validation.command import run

    use_neuron_arithmetic()  # bridge's side rounds as NEURON's build does (no FMA, divisions as written)
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


def _cmd_run(args: argparse.Namespace) -> int:
    """`bridge run`: the model's HOC in a HocSession whose run()s simulate (bridge.hoc.live), printing what
    the model prints; with --out, its recorded Vectors of the last run as .npz and a plot, and the files the
    model writes in `<out>/model-output` (a folder of their own: a model's file never replaces vectors.npz)."""
    from bridge.hoc.outfiles import NO_OUTPUT
    from bridge.hoc.session import HocSession
    from validation.command import find_hoc, find_mechanisms  # the model discovery of `bridge validate`

    path = Path(args.path)
    hoc = find_hoc(path)
    mechanisms = Path(args.mechanisms) if args.mechanisms else find_mechanisms(path if path.is_dir() else hoc.parent)
    output_dir = Path(args.out) / MODEL_OUTPUT if args.out else None
    session = HocSession(mechanisms, cwd=hoc.parent, allow_read=args.allow_read or (), stdout=sys.stdout,
                         output_dir=output_dir)
    try:
        session.load_file(hoc)
        for stmt in args.statement or ():
            session(stmt)
    except BridgeError as err:
        if output_dir is None and NO_OUTPUT in str(err):
            print(err, file=sys.stderr)
            print(f"bridge run: the model writes files; give `--out DIR` to have them written into "
                  f"DIR/{MODEL_OUTPUT}", file=sys.stderr)
            return 1
        raise
    vectors = session.recorded_vectors()
    runs = len(session.model().protocol.runs)
    print(f"bridge run: {hoc.name}: {runs} run(s), t = {session.t:g} ms; recorded: {', '.join(vectors) or 'nothing'}",
          file=sys.stderr)
    if args.out and vectors:
        _write_run(Path(args.out), vectors, session.live.traces().t)
    return 0


MODEL_OUTPUT = "model-output"  # `bridge run --out DIR`: the folder under DIR the model's own files go into


def _write_run(out: Path, vectors: dict, t) -> None:
    """vectors.npz (each recorded Vector by its HOC name, `t_` the sample times [ms]) and traces.png."""
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    t = np.asarray(t)
    np.savez(out / "vectors.npz", t_=t, **{name: np.asarray(v) for name, v in vectors.items()})
    print(f"wrote {out / 'vectors.npz'}", file=sys.stderr)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(8, 4))
    for name, v in vectors.items():
        if len(v) == len(t):
            ax.plot(t, v, label=name)
    ax.set_xlabel("t [ms]")
    ax.legend(fontsize="small")
    fig.savefig(out / "traces.png", dpi=120)
    plt.close(fig)
    print(f"wrote {out / 'traces.png'}", file=sys.stderr)


def _cmd_validate_mod(args: argparse.Namespace) -> int:
    from validation.arithmetic import use_neuron_arithmetic
    from validation.single_mechanism import main

    use_neuron_arithmetic()
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BridgeError as err:
        print(err, file=sys.stderr)
        return 1
