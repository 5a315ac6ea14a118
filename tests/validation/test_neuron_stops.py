"""A model whose own HOC stops hoc's parser (`validation.neuron_stops`): the sweep runs NEURON on it and
records NEURON-ERROR only when NEURON 9.0.2 stops on the same file and line; model folders written by us."""

from __future__ import annotations

import pytest

from validation.models_catalog import ModelEntry
from validation.models_run import run_model

# the Lytton-library pattern (ModelDB 151282's init.hoc -> decvec.hoc): a library file assigns `new File()`
# to a name that only a file it never loaded would declare
LIB = 'objref dir\ndir = new List()\ntmpfile = new File()\nprint "not reached"\n'


@pytest.mark.neuron
def test_a_parser_stop_that_neuron_makes_too_is_a_neuron_error(tmp_path):
    folder = tmp_path / "lib_stop"
    folder.mkdir()
    (folder / "lib.hoc").write_text(LIB)
    (folder / "init.hoc").write_text('create soma\nload_file("lib.hoc")\n')
    rec = run_model(folder, ModelEntry("lib_stop"))
    assert rec["status"] == "NEURON-ERROR", rec
    assert rec["neuron_started"] is True
    assert rec["message"].startswith("bridge and NEURON stop at the same line: lib.hoc:3:1: syntax error")
    assert "syntax error in lib.hoc near line 3" in rec["detail"]  # NEURON's own words


@pytest.mark.neuron
def test_a_parser_stop_neuron_does_not_make_stays_refused(tmp_path, monkeypatch):
    """If NEURON goes past the line (here: bridge's check made stricter than hoc's parser, a name NEURON knows
    as an object variable), the model stays REFUSED: the sweep believes NEURON, not bridge."""
    from bridge.hoc import parse_names, stdrun_names

    monkeypatch.setattr(parse_names, "NEURON_LIBRARY_OBJREFS", frozenset())
    monkeypatch.delitem(stdrun_names.OBJREFS, "tempobj")  # stdrun.hoc's load declares it too (stdrun_names)
    folder = tmp_path / "library_objref"
    folder.mkdir()
    (folder / "init.hoc").write_text('create soma\nproc p() { tempobj.count() }\nprint "ok"\n')
    rec = run_model(folder, ModelEntry("library_objref"))
    assert rec["status"] == "REFUSED", rec
    assert rec["error_class"] == "ParserStop" and "init.hoc:2" in rec["message"]
    assert rec["neuron_started"] is True and rec["neuron_detail"] == "NEURON runs past it"


def test_a_parser_stop_in_a_model_the_scan_refuses_never_starts_neuron(tmp_path, monkeypatch):
    """The static scan of the files bridge read (here `nrnpython()` after the stop, as ModelDB 185858's
    init.hoc) runs before NEURON, as for any model: the model stays REFUSED and NEURON never starts."""
    from validation import neuron_case

    def forbidden(*args, **kwargs):
        raise AssertionError("NEURON started")

    monkeypatch.setattr(neuron_case, "run_neuron_case", forbidden)
    folder = tmp_path / "python_after"
    folder.mkdir()
    (folder / "lib.hoc").write_text(LIB)
    (folder / "init.hoc").write_text('create soma\nload_file("lib.hoc")\nnrnpython("print(1)")\n')
    rec = run_model(folder, ModelEntry("python_after"))
    assert rec["status"] == "REFUSED", rec
    assert rec["error_class"] == "ParserStop" and rec["neuron_started"] is False


@pytest.mark.neuron
def test_a_parser_stop_neuron_makes_earlier_stays_refused_with_neurons_words(tmp_path):
    """NEURON 9.0.2 has no built-in `pwd()` (ModelDB 151282's init.hoc calls the one of its misc.mod, whose
    VERBATIM C bridge does not compile into NEURON); bridge answers it, so NEURON stops before bridge's line."""
    folder = tmp_path / "pwd_first"
    folder.mkdir()
    (folder / "lib.hoc").write_text(LIB)
    (folder / "init.hoc").write_text('create soma\npwd()\nload_file("lib.hoc")\n')
    rec = run_model(folder, ModelEntry("pwd_first"))
    assert rec["status"] == "REFUSED", rec
    assert rec["neuron_started"] is True
    assert "pwd undefined function in init.hoc near line 2" in rec["neuron_detail"]
