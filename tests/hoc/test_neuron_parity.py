"""load_hoc against real NEURON: the same sections, geometry, mechanisms, areas and ri.

Each model runs in its own NEURON subprocess (tests/hoc/neuron_dump.py), which
dumps `bridge.from_neuron()`; values must agree to 1e-12 relative (3-D points exactly).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import bridge

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import compare_trees, neuron_dump  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def _demo() -> Path:
    try:
        import neuron
    except ImportError:  # pragma: no cover
        pytest.skip("NEURON is not installed")
    return Path(neuron.__file__).resolve().parent / ".data" / "share" / "nrn" / "demo"


@pytest.mark.neuron
@pytest.mark.parametrize("name", ["cell_basic.hoc", "templates.hoc", "geometry.hoc", "forsec.hoc",
                                  "import3d_cell.hoc", "neurolucida_cell.hoc"])
def test_own_files_match_neuron(name):
    ref = neuron_dump(DATA / name)
    compare_trees(bridge.load_hoc(DATA / name), ref)


@pytest.mark.neuron
def test_pyramid_demo_matches_neuron():
    path = _demo() / "pyramid.nrn"
    ref = neuron_dump(path)
    model = bridge.load_hoc(path)
    assert len(model.tree) == 79
    compare_trees(model, ref)


@pytest.mark.neuron
def test_hh_demo_matches_neuron():
    path = _demo() / "hh.hoc"
    ref = neuron_dump(path)
    model = bridge.load_hoc(path)
    compare_trees(model, ref)
    assert model.protocol.ion_styles == {"na_ion": (1, 2, 1, 0, 0), "k_ion": (1, 2, 1, 0, 0)}


@pytest.mark.neuron
def test_pyramid_with_reconst_matches_neuron(tmp_path):
    demo = _demo()
    driver = tmp_path / "both.hoc"
    driver.write_text(f'xopen("{demo / "pyramid.nrn"}")\nxopen("{demo / "reconst.hoc"}")\n')
    ref = neuron_dump(driver)
    model = bridge.load_hoc(driver, allow_read=[demo])  # the driver reads NEURON's demo folder
    compare_trees(model, ref)
    assert model.tree["soma"].mechanisms.keys() == {"hh"}
    assert model.protocol.celsius == 15.0


def dend3_driver(folder: Path, record: bool = False) -> Path:
    """NEURON's "Stylized" demo as d3init.hoc builds it (dend3.nrn, syn3.hoc with three
    AlphaSynapses, control.hoc), without the movie window; optionally recording and running."""
    demo = _demo() / "dend3"
    driver = folder / "dend3.hoc"
    lines = ['load_file("nrngui.hoc")', "objectvar vbox"]  # d3init.hoc declares vbox for syn3.hoc
    lines += [f'xopen("{demo / f}")' for f in ("dend3.nrn", "syn3.hoc", "control.hoc")]
    if record:
        lines += ["objref vsoma, vd0, vd2", "vsoma = new Vector()", "vd0 = new Vector()", "vd2 = new Vector()",
                  "vsoma.record(&soma.v(0.5))", "vd0.record(&dend[0].v(0.5))", "vd2.record(&dend[2].v(1))", "run()"]
    driver.write_text("\n".join(lines) + "\n")
    return driver


@pytest.mark.neuron
def test_dend3_demo_matches_neuron(tmp_path):
    ref = neuron_dump(dend3_driver(tmp_path))
    model = bridge.load_hoc(tmp_path / "dend3.hoc", allow_read=[_demo() / "dend3"])
    compare_trees(model, ref)  # the AlphaSynapses' locations and parameters included
    assert [p.name for p in model.tree.point_processes] == ["AlphaSynapse"] * 3


@pytest.mark.neuron
def test_release_demo_matches_neuron():
    """NEURON's "Synaptic release" demo with its own .mod folder (demo/release), which xopens
    `$(NRNDEMO)testca.hoc`: an unset NRNDEMO expands to nothing, in NEURON as in bridge."""
    from bridge.hoc.catalog import Catalog
    from validation.neuron_run import compile_mod_files

    mod = _demo() / "release"
    ref = neuron_dump(_demo() / "release.hoc", compile_mod_files(sorted(mod.glob("*.mod"))))
    model = bridge.load_hoc(_demo() / "release.hoc", mechanisms=mod)
    compare_trees(model, ref, Catalog([mod]))
    assert set(model.mechanisms()) == {"cadifpmp", "cachan", "capump", "HHk", "nacax", "HHna", "trel"}


@pytest.mark.neuron
def test_define_shape_matches_neuron():
    ref = neuron_dump(DATA / "shape.hoc")
    model = bridge.load_hoc(DATA / "shape.hoc")
    # NEURON sets the last 3-D point's arc to L itself; bridge keeps those arcs in
    # Section.arc3d and nodes integrates over them, so geometry is exact too.
    compare_trees(model, ref)


@pytest.mark.neuron
def test_cellbuilder_style_template_matches_neuron():
    ref = neuron_dump(DATA / "cellbuilder_style.hoc")
    model = bridge.load_hoc(DATA / "cellbuilder_style.hoc")
    assert [s.nseg for s in model.tree][:5] == [1, 9, 9, 9, 37]  # the d_lambda rule with lambda_f
    # `L = 200` on sections with 3-D points scales NEURON's arcs (kept in Section.arc3d).
    compare_trees(model, ref)


@pytest.mark.neuron
def test_model_mechanism_folder_matches_neuron():
    from bridge.hoc.catalog import Catalog
    from validation.neuron_run import compile_mod_files

    mod = DATA / "mod"
    library = compile_mod_files(sorted(mod.glob("*.mod")))
    ref = neuron_dump(DATA / "mechanisms.hoc", library)
    model = bridge.load_hoc(DATA / "mechanisms.hoc", mechanisms=mod)
    compare_trees(model, ref, Catalog([mod]))
    assert model.protocol.globals == {"vhalf_kdemo": -25.0}
    assert model.tree["soma"].mechanisms["k_ion"]["ek"][0] == -85.0


@pytest.mark.neuron
def test_pyramid_session_file_stimulus_matches_neuron(tmp_path):
    demo = _demo()
    driver = tmp_path / "pyr_ses.hoc"
    driver.write_text(f'load_file("nrngui.hoc")\nxopen("{demo / "pyramid.nrn"}")\nxopen("{demo / "pyramid.ses"}")\n')
    ref = neuron_dump(driver)
    with pytest.warns(UserWarning, match="PlotShape"):  # the session's windows are listed, not drawn
        model = bridge.load_hoc(driver, allow_read=[demo])
    compare_trees(model, ref)  # includes the IClamp that pyramid.ses's PointProcessManager makes
    assert len(model.protocol.stimuli) == 1
    for name in ("celsius", "v_init", "tstop", "dt", "secondorder"):
        assert getattr(model.protocol, name) == ref["globals"][name], name


@pytest.mark.neuron
def test_define_shape_with_logical_connections_matches_neuron():
    # pt3dstyle(1, x, y, z): define_shape moves that point, not the first 3-D point, to the
    # attachment point (as Import3d marks sections on a soma; bmtk's BioAxonStub relies on it)
    ref = neuron_dump(DATA / "logical_connection.hoc")
    model = bridge.load_hoc(DATA / "logical_connection.hoc")
    compare_trees(model, ref)
    d1 = next(s for s in model.tree if s.name == "d1")
    assert tuple(d1.pt3d[0][:3]) == (13.0, 2.0, 0.5)  # (20, 5, 1) + (5, 0, 0) - (12, 3, 0.5), NEURON's value


@pytest.mark.neuron
def test_neuron_shape_with_logical_connections_matches_neuron(tmp_path):
    # bridge.morphology.arrays.neuron_shape applies the same rule to a tree never define_shape'd
    from bridge.morphology.arrays import neuron_shape

    ref = {s["name"]: np.asarray(s["pt3d"]) for s in neuron_dump(DATA / "logical_connection.hoc")["sections"]}
    text = (DATA / "logical_connection.hoc").read_text().replace("define_shape()", "")
    (tmp_path / "no_define_shape.hoc").write_text(text)
    shape = neuron_shape(bridge.load_hoc(tmp_path / "no_define_shape.hoc").tree)
    for name, pts in ref.items():
        np.testing.assert_array_equal(shape[name], pts, err_msg=name)
