"""bridge.hoc.session: HocSession from Python (like neuron.h) and load_hoc."""

import io

import pytest

import bridge
from bridge import HocSession


def test_values_procedures_and_objects_from_python():
    hoc = HocSession(stdout=io.StringIO())
    hoc("begintemplate C\npublic soma, k, dend\ncreate soma, dend[2]\nproc init() { k = $1 }\nendtemplate C\n"
        "objref c\nproc make() { c = new C($1) }\nstrdef label\nlabel = \"cell\"\ndouble w[2]\nw[1] = 4")
    hoc.make(7)
    assert hoc.c.k == 7.0 and hoc.c.soma.name == "C[0].soma"
    assert [s.name for s in hoc.c.dend] == ["C[0].dend[0]", "C[0].dend[1]"]
    assert hoc.label == "cell" and list(hoc.w) == [0.0, 4.0]
    hoc.celsius = 31
    assert hoc.celsius == 31.0 and hoc.model().protocol.celsius == 31.0
    with pytest.raises(AttributeError):
        _ = hoc.nothing_like_this


def test_load_hoc_runs_extra_statements(tmp_path):
    (tmp_path / "cell.hoc").write_text("proc make_cell() { create soma\nsoma L = $1 }\n")
    model = bridge.load_hoc(tmp_path / "cell.hoc", statements=["make_cell(33)", "tstop = 9"])
    assert model.tree["soma"].L == 33 and model.protocol.tstop == 9


def test_model_is_a_copy():
    hoc = HocSession()
    hoc("create soma")
    m = hoc.model()
    hoc("soma L = 5")
    assert m.tree["soma"].L == 100 and hoc.model().tree["soma"].L == 5


def test_an_error_returns_to_top_level():
    hoc = HocSession()
    hoc("create soma, dend\nbegintemplate T\npublic k\nendtemplate T\nobjref ob\nob = new T()")
    with pytest.raises(bridge.HocError):
        hoc("{object_push(ob)}\ndend { nothere() }")
    hoc("x = 1")  # defined at top level again, with no section pushed
    assert hoc.x == 1.0 and hoc._state.sec_stack == []


@pytest.mark.neuron  # runs NEURON's inserter.hoc from the installed neuron package
def test_the_inserter_gui_tool_inserts(tmp_path):
    """A session file's Inserter inserts mechanisms in NEURON; bridge runs NEURON's inserter.hoc
    (tests/hoc/test_gui_builders.py compares whole session files with NEURON)."""
    hoc = HocSession(cwd=tmp_path)
    hoc("create soma\naccess soma")
    hoc('objref ib\nsoma ib = new Inserter(0)\n{object_push(ib)}\n'
        '{mt.select("pas") i = mt.selected()\nmstate[i] = 1\nmaction(i)}\n{object_pop()}')
    assert "pas" in hoc.tree["soma"].mechanisms


def test_linear_circuit_needs_its_library(tmp_path):
    """Session files' LinearCircuit (a LinearMechanism) runs NEURON's lincir.hoc, which the session loads first
    (tests/hoc/test_lincir.py compares one with NEURON); without it, as in NEURON (nrngui.hoc loaded), the name is
    not a template, never a GUI no-op that would run another model."""
    hoc = HocSession(cwd=tmp_path)
    hoc("create soma\naccess soma")
    with pytest.raises(bridge.errors.HocError, match="LinearCircuit is not a template"):
        hoc("objref ob\nob = new LinearCircuit(0)")
