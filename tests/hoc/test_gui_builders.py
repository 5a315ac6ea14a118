"""Session files of NEURON's GUI builders (CellBuild, ...) build the model, against real NEURON.

The session files in tests/hoc/builders/ are ours, written in the format NEURON's tools save
them: CellBuild (celbild1.hoc: save_data; topology, subsets, geometry strategies (constant
L/diam, nseg, d_lambda), membrane mechanisms per subset and per section, `cexport(1)`), Inserter
(inserter.hoc: save, dsave) and SingleCompartment (single.hoc: save). bridge runs NEURON's own
library files from the installed `neuron` package on them; NEURON runs the same files.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import bridge
from bridge.testing import assert_matches_neuron

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import compare_trees, neuron_dump  # noqa: E402

BUILDERS = Path(__file__).resolve().parent / "builders"


def _model(tmp_path: Path, ses: str, extra: str = "") -> Path:
    shutil.copy(BUILDERS / ses, tmp_path / ses)
    init = tmp_path / "init.hoc"
    init.write_text(f'load_file("stdrun.hoc")\nload_file("{ses}")\n{extra}')
    return init


@pytest.mark.neuron
def test_cellbuild_session_builds_the_same_cell(tmp_path):
    init = _model(tmp_path, "cellbuild_branched.ses")
    ref = neuron_dump(init)
    model = bridge.load_hoc(init)
    compare_trees(model, ref)
    tree = model.tree
    assert [s.name for s in tree] == ["soma", "dend[0]", "dend[1]", "dend[2]", "axon"]
    assert [s.nseg for s in tree] == [1, 7, 7, 7, 9]  # d_lambda 0.1 for all, nseg 9 for the axon
    assert tree["axon"].mechanisms["hh"]["gkbar"][0] == 0.036  # hh's default, exported with %g


@pytest.mark.neuron
def test_cellbuild_session_with_3d_points(tmp_path):
    """A section with its own 3-D points: the session reads them with fscan (CellBuildSection.rdses)."""
    init = _model(tmp_path, "cellbuild_3d.ses")
    compare_trees(bridge.load_hoc(init), neuron_dump(init))
    assert len(bridge.load_hoc(init).tree["dend[2]"].pt3d) == 3


@pytest.mark.neuron
def test_cellbuild_session_matches_neuron_traces(tmp_path):
    init = _model(tmp_path, "cellbuild_branched.ses",
                  "objref stim\nsoma stim = new IClamp(0.5)\nstim.del = 1\nstim.dur = 5\nstim.amp = 0.5\n"
                  "tstop = 20\n")
    result = assert_matches_neuron(init, {"tstop": 20.0, "dt": 0.025,
                                          "recordings": ["soma(0.5).v", "dend[2](0.9).v", "axon(0.95).v"]})
    print("max |dV| cellbuild_branched:", result.comparison.max_dv)
    assert result.comparison.max_dv <= 1e-9


_INSERTER_CELL = """create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert hh }
dend { L = 300 diam = 2 nseg = 11 }
"""
_STIM = "objref stim\nsoma stim = new IClamp(0.5)\nstim.del = 1\nstim.dur = 5\nstim.amp = {amp}\ntstop = 20\n"


@pytest.mark.neuron
def test_inserter_session_inserts_with_its_values(tmp_path):
    shutil.copy(BUILDERS / "inserter_dend.ses", tmp_path)
    init = tmp_path / "init.hoc"
    init.write_text('load_file("stdrun.hoc")\n' + _INSERTER_CELL + 'load_file("inserter_dend.ses")\n'
                    + _STIM.format(amp=0.3))
    compare_trees(bridge.load_hoc(init), neuron_dump(init))
    dend = bridge.load_hoc(init).tree["dend"]
    assert set(dend.mechanisms) == {"pas", "hh"}
    assert list(dend.mechanisms["hh"]["gl"]) == [0.0] * 11
    result = assert_matches_neuron(init, {"tstop": 20.0, "dt": 0.025, "recordings": ["soma(0.5).v", "dend(0.95).v"]})
    print("max |dV| inserter_dend:", result.comparison.max_dv)
    assert result.comparison.max_dv <= 1e-9


@pytest.mark.neuron
def test_single_compartment_session(tmp_path):
    init = _model(tmp_path, "single_compartment.ses", _STIM.format(amp=0.05))
    compare_trees(bridge.load_hoc(init), neuron_dump(init))
    soma = bridge.load_hoc(init).tree["soma"]
    assert soma.mechanisms["hh"]["gnabar"][0] == 0.121
    result = assert_matches_neuron(init, {"tstop": 20.0, "dt": 0.025, "recordings": ["soma(0.5).v"]})
    print("max |dV| single_compartment:", result.comparison.max_dv)
    assert result.comparison.max_dv <= 1e-9


def test_builder_library_needs_neuron(tmp_path, monkeypatch):
    """Without NEURON's library installed, loading a builder names the missing file."""
    from bridge.errors import BridgeError
    from bridge.hoc import neuronlib

    monkeypatch.setattr(neuronlib, "library_folder", lambda: None)
    init = _model(tmp_path, "cellbuild_branched.ses")
    with pytest.raises(BridgeError, match=r"celbild\.hoc .*not found.*installed NEURON"):
        bridge.load_hoc(init)


def test_model_copy_of_a_builder_library_is_named(tmp_path):
    """NEURON would run a model's own celbild.hoc; bridge runs NEURON's and says so."""
    init = _model(tmp_path, "cellbuild_branched.ses")
    (tmp_path / "celbild.hoc").write_text("// an old copy\n")
    with pytest.warns(UserWarning, match=r"model's own copy .*celbild\.hoc"):
        model = bridge.load_hoc(init)
    assert len(model.tree) == 5


@pytest.mark.parametrize("cls", ["NetGUI", "ArtCellGUI"])
def test_net_builders_run_neurons_code(tmp_path, cls):
    """NetGUI and ArtCellGUI are made by NEURON's netbild.hoc, their windows as no-ops (their networks:
    tests/hoc/test_netgui_session.py). nrngui.hoc first: netbild.hoc alone stops NEURON (its `external addplot`
    is stdrun.hoc's; bridge.hoc.library_runs)."""
    init = tmp_path / "init.hoc"
    init.write_text(f'load_file("nrngui.hoc")\nload_file("netbild.hoc")\nobjref b\nb = new {cls}()\ncreate soma\n')
    with pytest.warns(UserWarning, match="not executed"):
        bridge.load_hoc(init)


@pytest.mark.neuron
def test_netready_cell_session_matches_neuron(tmp_path):
    """A NetReadyCellGUI session (netready.hoc save_data: its CellBuild, continuous, and a SynTypeGUI with
    one synapse type placed on the dendrite) runs NEURON's netbild.hoc: the same cell and traces."""
    init = _model(tmp_path, "netready_cell.ses",
                  "objref stim\nsoma stim = new IClamp(0.5)\nstim.del = 1\nstim.dur = 3\nstim.amp = 0.3\n"
                  "tstop = 8\n")
    compare_trees(bridge.load_hoc(init), neuron_dump(init))
    result = assert_matches_neuron(init, {"tstop": 8.0, "dt": 0.025, "recordings": ["soma(0.5).v", "dend(0.9).v"]})
    print("max |dV| netready_cell:", result.comparison.max_dv)
    assert result.comparison.max_dv <= 1e-9


def test_netready_cell_session_keeps_neurons_data(tmp_path):
    init = _model(tmp_path, "netready_cell.ses", 'x = printf("%s %d %s %g\\n", NetReadyCellGUI[0].nrc.name, '
                  'NetReadyCellGUI[0].nrc.synlist.count, NetReadyCellGUI[0].stgui.stypelist.object(0).name, '
                  'NetReadyCellGUI[0].nrc.synlist.object(0).x)\n')
    import io

    out = io.StringIO()
    bridge.HocSession(cwd=tmp_path, stdout=out).load_file(init)
    assert out.getvalue().splitlines()[-1] == "C 1 E 0.8"
