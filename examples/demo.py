"""The main job on the bundled example cell: `make demo`, or `python examples/demo.py [--out DIR]`.

Summarises the mechanisms of `examples/cell/mod/`, then validates the cell as `bridge validate
examples/cell --out DIR` does: bridge loads `examples/cell/init.hoc` and its `.mod` files and
simulates the cell in JAX; NEURON compiles the same `.mod` files (`nrnivmodl`, cached) and runs
the same HOC; the comparison table is printed and `DIR/report.md` written with trace,
difference and morphology plots. Exit status 0 when bridge matches NEURON.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bridge.errors import BridgeError
from bridge.nmodl import parse_file
from bridge.nmodl.syntax.summary import summary_line
from validation import command
from validation.arithmetic import use_neuron_arithmetic

EXAMPLE_DIR = Path(__file__).resolve().parent / "cell"
EXAMPLE_MOD_DIR = EXAMPLE_DIR / "mod"


def demo(model: Path, out: Path) -> int:
    """Print a one-line summary of each of `model`'s mechanisms, then validate `model`, writing the
    report into `out`."""
    files = sorted(p for p in (model / "mod").glob("*.mod") if p.is_file())
    if not files:
        raise BridgeError(f"no .mod files in {model / 'mod'}")
    print(f"Mechanisms of the example cell ({model / 'mod'}):")
    for path in files:
        print(f"  {path.name}: {summary_line(parse_file(path))}")
    print(f"\nbridge and NEURON on {model} (compiling the .mod files for NEURON on first use):")
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return command.run(parser.parse_args([str(model), "--out", str(out)]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="examples/demo.py", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=EXAMPLE_DIR, help="model folder (default: examples/cell)")
    parser.add_argument("--out", type=Path, default=Path("out/demo"),
                        help="folder for the report and plots (default: out/demo)")
    args = parser.parse_args(argv)
    use_neuron_arithmetic()  # bridge's side rounds as NEURON's build does (validation.arithmetic)
    try:
        return demo(args.model, args.out)
    except BridgeError as err:
        print(err, file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
