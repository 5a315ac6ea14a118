"""bmtk's cell templates (BioAxonStub, Biophys1) with bmtk's morphologies and mechanisms,
against NEURON running the very same files.

The files come from bmtk's wheel on PyPI, downloaded at test time into the corpus cache
(never committed). Each model runs as bmtk runs it: NEURON's own import3d.hoc, the template
`new`ed with an SWC file; the driver and the biophysics file are this project's.
"""

from __future__ import annotations

import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import bridge
from tests.morphology.import3d_neuron import corpus_files

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import compare_trees, neuron_dump  # noqa: E402
from test_protocol import neuron_vectors  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
pytestmark = pytest.mark.neuron


def _bmtk(name: str) -> Path:
    """One file of bmtk's wheel by its path's ending (e.g. 'default_templates/Biophys1.hoc')."""
    suffix = Path(name).suffix
    found = [p for p in corpus_files("bmtk", suffix) if p.as_posix().endswith(name)]
    assert found, f"bmtk's wheel has no {name} any more"
    return found[0]


def _cell_folder(tmp_path: Path, template: str, swc: Path, extra: str = "") -> Path:
    """A model folder as bmtk builds a cell: the template, the SWC file and a driver."""
    shutil.copy(_bmtk(f"default_templates/{template}.hoc"), tmp_path)
    shutil.copy(swc, tmp_path)
    driver = tmp_path / "cell.hoc"
    driver.write_text(f'load_file("stdrun.hoc")\nload_file("import3d.hoc")\nload_file("{template}.hoc")\n'
                      f'objref cell\ncell = new {template}("{swc.name}")\n{extra}')
    return driver


@pytest.mark.parametrize("template", ["BioAxonStub", "Biophys1"])
def test_bmtk_templates_match_neuron(template, tmp_path):
    """Every bmtk morphology through the template: sections, names, child order, pt3d after
    define_shape (the stub axon's logical connection), areas and ri equal NEURON's."""
    swcs = corpus_files("bmtk", ".swc")
    assert len(swcs) >= 5
    for swc in swcs:
        folder = tmp_path / swc.stem
        folder.mkdir()
        driver = _cell_folder(folder, template, swc)
        ref = neuron_dump(driver)
        model = bridge.load_hoc(driver)
        compare_trees(model, ref)
        soma = ref["sections"][0]
        assert soma["name"] == f"{template}[0].soma[0]" and len(soma["children"]) >= 2, swc.name


def test_bmtk_cell_with_allen_mechanisms_voltage_matches_neuron(tmp_path):
    """A whole bmtk cell: BioAxonStub on an Allen reconstruction, bmtk's 11 perisomatic
    mechanisms (NaTs, Nap, K_P, K_T, SK, Kv3_1, Ca_HVA, Ca_LVA, CaDynamics, Im, Ih) in the
    soma, Ih in the dendrites, pas everywhere, an IClamp: bridge's voltages equal NEURON's.
    The folder also holds bmtk's vecevent.mod (VERBATIM), which is never used and so never
    translated."""
    mod = tmp_path / "mod"
    mod.mkdir()
    for path in corpus_files("bmtk", ".mod"):
        if "bionet/mechanisms/modfiles" in path.as_posix():
            shutil.copy(path, mod)
    shutil.copy(DATA / "bmtk_perisomatic.hoc", tmp_path)
    swc = _bmtk("morphologies/Rorb_325404214_m.swc")
    driver = _cell_folder(tmp_path, "BioAxonStub", swc, 'load_file("bmtk_perisomatic.hoc")\n')
    ref = neuron_vectors(driver, "vsoma", "vdend", "vaxon", mod_dir=mod)
    model = bridge.load_hoc(driver, mechanisms=mod)
    assert sorted(model.mechanisms()) == sorted(["NaTs", "Nap", "K_P", "K_T", "SK", "Kv3_1", "Ca_HVA", "Ca_LVA",
                                                 "CaDynamics", "Im", "Ih"])  # the folder's; pas, IClamp built in
    traces = model.simulate()
    for probe, name in zip(model.probes(), ["vsoma", "vdend", "vaxon"]):
        ours = np.asarray(traces[probe])
        assert ours.shape == ref[name].shape
        dv = np.max(np.abs(ours - ref[name]))
        print(f"{probe}: max |dV| = {dv:.3g} mV")
        assert dv <= 1e-9, f"{probe}: max |dV| {dv}"  # [mV]
    assert np.max(ref["vsoma"]) > 0  # it fired: the comparison covers action potentials


def test_model_copy_of_an_old_import3d_is_named_in_a_warning(tmp_path):
    """bmtk also ships an older import3d.hoc (its use_old_import3d option). NEURON would run
    that copy, bridge runs its built-in Import3d: the difference is announced, not hidden."""
    old = _bmtk("simulator/bionet/import3d.hoc")
    shutil.copy(old, tmp_path)
    shutil.copytree(old.parent / "import3d", tmp_path / "import3d")
    (tmp_path / "m.hoc").write_text('load_file("import3d.hoc")\ncreate soma\n')
    with pytest.warns(UserWarning, match=r"model's own copy .*import3d.hoc, which differs from NEURON 9.0's"):
        bridge.load_hoc(tmp_path / "m.hoc")


def test_neuron_library_digests_are_those_of_the_installed_neuron(tmp_path):
    """The digests bridge compares a model's copies with are those of the pinned NEURON's files;
    an unchanged copy of NEURON's own file loads without a warning."""
    import neuron

    from bridge.hoc.loader import NEURON_LIBRARY_SHA256, library_digest

    lib = Path(neuron.__file__).resolve().parent / ".data" / "share" / "nrn" / "lib" / "hoc"
    for name, digest in NEURON_LIBRARY_SHA256.items():
        assert library_digest(lib / name) == digest, name
    shutil.copy(lib / "stdrun.hoc", tmp_path)
    (tmp_path / "m.hoc").write_text('load_file("stdrun.hoc")\ncreate soma\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bridge.load_hoc(tmp_path / "m.hoc")
