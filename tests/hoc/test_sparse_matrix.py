"""NEURON's sparse Matrix (`new Matrix(n, m, 2)`, bridge.hoc.sparse_matrix) against NEURON 9: printed output."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

import bridge
from bridge import HocSession

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.neuron
def test_sparse_matrix_output_matches_neuron():
    path = DATA / "sparse_matrix.hoc"
    code = f"from neuron import h\nh.load_file({str(path)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    out = io.StringIO()
    HocSession(stdout=out).load_file(path)
    assert out.getvalue().splitlines() == theirs


def test_a_large_sparse_matrix_costs_what_it_holds():
    # a numcells x numcells table of connections (ModelDB 82894's `used`): dense, 10^10 doubles
    hoc = HocSession()
    hoc("objref m\nm = new Matrix(100000, 100000, 2)\nm.x[5][99999] = 1")
    hoc("total = m.getval(5, 99999) + m.getval(99999, 5)")
    assert hoc.total == 1.0
    with pytest.raises(bridge.errors.HocError, match="memory"):  # the same size full is over the memory budget
        hoc("objref f\nf = new Matrix(100000, 100000)")


def test_methods_bridge_lacks_for_sparse_matrices_are_refused():
    hoc = HocSession()
    hoc("objref m\nm = new Matrix(3, 3, 2)")
    with pytest.raises(bridge.errors.HocRefusal, match=r"Matrix.inverse\(\) of a sparse Matrix"):
        hoc("m.inverse()")
