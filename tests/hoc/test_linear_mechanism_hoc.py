"""NEURON's sparse Matrix (`new Matrix(n, m, 2)`, bridge.hoc.sparse_matrix) and the HOC side of LinearMechanism
(bridge.hoc.linear_mechanism) against NEURON 9: printed output, and what bridge refuses."""

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
@pytest.mark.parametrize("name", ["sparse_matrix.hoc", "linear_mechanism_valid.hoc"])
def test_output_matches_neuron(name):
    path = DATA / name
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


LM = ("create a, b\nobjref c, g, y, b0, lm, sl, xv, layer\nc = new Matrix(2, 2)\ng = new Matrix(2, 2)\n"
      "y = new Vector(2)\nb0 = new Vector(2)\nsl = new SectionList()\na sl.append()\nb sl.append()\n"
      "xv = new Vector(2, 0.5)\nlayer = new Vector(2)\n")


def test_an_extracellular_layer_without_extracellular_is_refused():
    # NEURON grounds such a row (nrndae.cpp NrnDAE::alloc); layers with extracellular:
    # tests/hoc/test_linear_mechanism_layers.py
    hoc = HocSession()
    hoc(LM)
    hoc("layer.x[1] = 1\nlm = new LinearMechanism(c, g, y, b0, sl, xv, layer)")
    with pytest.raises(bridge.errors.UnsupportedFeature, match=r"layer 1 of b\(0.5\), which has no extracellular"):
        bridge.Simulation(hoc.model().to_model())


def test_a_linear_mechanism_whose_section_changed_nseg_is_refused():
    # NEURON keeps the nodes it found when the LinearMechanism was made (valid() stays 1): bridge refuses
    hoc = HocSession()
    hoc(LM + "lm = new LinearMechanism(c, g, y, b0, sl, xv)\na.nseg = 3")
    with pytest.raises(bridge.errors.UnsupportedFeature, match="nseg"):
        hoc.model()


def test_the_matrices_must_match_y():
    hoc = HocSession()
    hoc(LM)
    with pytest.raises(bridge.errors.HocError, match="the g Matrix is 3 x 3"):
        hoc("g = new Matrix(3, 3)\nlm = new LinearMechanism(c, g, y, b0, sl, xv)")


def test_a_huge_sparse_linear_mechanism_is_refused_where_it_is_made(tmp_path):
    """Sparse c and g of 200000 unknowns cost a few elements in HOC, but bridge holds the LinearMechanisms'
    matrices dense (solver.linear_mechanism.LinearPlan): 1.8e3 GiB. Refused at its file:line against
    Limits.max_memory before anything is allocated (before: a MemoryError or the machine's memory taken)."""
    path = tmp_path / "huge.hoc"
    path.write_text("objref c, g, y, b, lm\nc = new Matrix(200000, 200000, 2)\ng = new Matrix(200000, 200000, 2)\n"
                    "c.x[0][0] = 1\ng.x[0][0] = 1\ny = new Vector(200000)\nb = new Vector(200000)\n"
                    "lm = new LinearMechanism(c, g, y, b)\n")
    with pytest.raises(bridge.errors.HocError, match=r"huge.hoc:8:.*LinearMechanisms of 200000 unknowns.*max_memory"):
        HocSession().load_file(path)


def test_linear_mechanisms_are_charged_together():
    """One of 8000 unknowns fits (2.9 GiB for its DENSE_COPIES dense matrices, under the default 4 GiB); the
    second, which makes bridge's combined matrices (16000, 16000), 11 GiB, is refused."""
    make = ("objref c{k}, g{k}, y{k}, b{k}, lm{k}\nc{k} = new Matrix(8000, 8000, 2)\ng{k} = new Matrix(8000, 8000, 2)\n"
            "y{k} = new Vector(8000)\nb{k} = new Vector(8000)\nlm{k} = new LinearMechanism(c{k}, g{k}, y{k}, b{k})")
    hoc = HocSession()
    hoc(make.format(k=1))
    with pytest.raises(bridge.errors.HocError, match="LinearMechanisms of 16000 unknowns in all"):
        hoc(make.format(k=2))


def test_y_grown_after_the_linear_mechanism_was_made_is_refused():
    hoc = HocSession()
    hoc(LM + "lm = new LinearMechanism(c, g, y, b0, sl, xv)\nc.resize(3, 3)\ng.resize(3, 3)\ny.resize(3)\nb0.resize(3)")
    with pytest.raises(bridge.errors.UnsupportedFeature, match="had 2 unknowns; its y has 3 elements"):
        hoc.model()
