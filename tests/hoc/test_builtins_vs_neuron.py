"""Small built-ins published models use (Vector.insrt/interpolate, the graph methods, sscanf, ...): a
program's printed output (numbers to 17 digits) is NEURON's, line by line."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from bridge import HocSession

DATA = Path(__file__).resolve().parent / "data"


def neuron_output(path: Path) -> list[str]:
    code = f"from neuron import h\nh.load_file({str(path)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]


def bridge_output(path: Path) -> list[str]:
    out = io.StringIO()
    with warnings.catch_warnings():  # the GUI calls, reported as accepted and not executed
        warnings.simplefilter("ignore", UserWarning)
        HocSession(stdout=out).load_file(path)
    return out.getvalue().splitlines()


@pytest.mark.neuron
@pytest.mark.parametrize("name", ["vector_insrt_interp.hoc", "builtins_misc.hoc", "sscanf.hoc", "object_pushed.hoc",
                                  "matrix_scanf.hoc", "vector_scanf.hoc", "proc_assigned.hoc",
                                  "vector_apply.hoc"])
def test_output_matches_neuron(name):
    path = DATA / name
    theirs = neuron_output(path)
    assert len(theirs) > 5
    assert bridge_output(path) == theirs
