"""The `bridge` command line: one subcommand per job.

Bad input never shows a traceback: a `BridgeError` is printed as its message and
the command exits with status 1 (2 for usage errors, as argparse does).
"""

from __future__ import annotations

import argparse
import sys

from bridge.errors import BridgeError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bridge", description="NEURON models in JAX, proven against NEURON")
    parser.add_subparsers(dest="command", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BridgeError as err:
        print(err, file=sys.stderr)
        return 1
