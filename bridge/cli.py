"""The `bridge` command line: one subcommand per job (`parse`, `translate`, `validate`, `validate-mod`).

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

    from validation import command as validate  # the command owns its options; validation depends on bridge

    p = sub.add_parser("validate", help=validate.HELP, description=validate.DESCRIPTION)
    validate.add_arguments(p)
    p.set_defaults(func=_cmd_validate)
    return parser


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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BridgeError as err:
        print(err, file=sys.stderr)
        return 1
