"""bridge.morphology.neurolucida (and .contour) against NEURON's Import3d_Neurolucida3 + Import3d_GUI."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from bridge.errors import UnsupportedFeature
from bridge.morphology.contour import contour_center, interpolate
from bridge.morphology.import3d import MorphologyError, subsets
from bridge.morphology.neurolucida import LABEL, NUMBER, STRING, load_asc, parse_asc, read_asc, tokens
from bridge.morphology.tree import SectionTree

from .import3d_neuron import compare_tree, corpus_files, neuron_import3d

DATA = Path(__file__).parent / "data"
ASC_FILES = sorted(DATA.glob("*.asc"))


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_asc(path)


def _load(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "outside the soma bounding boxes" notices; tested below
        return load_asc(path, **kw)


@pytest.mark.neuron
def test_small_files_match_neuron():
    pytest.importorskip("neuron")
    for path, nrn in zip(ASC_FILES, neuron_import3d(ASC_FILES, "asc", cell=False)):
        worst = compare_tree(_load(path), nrn)
        assert max(worst.values()) <= 1e-12, path


@pytest.mark.neuron
def test_instantiate_in_cell_template_matches_neuron():
    pytest.importorskip("neuron")
    path = DATA / "cellbody_trees.asc"
    (nrn,) = neuron_import3d([path], "asc", cell=True)
    tree = SectionTree()
    for name in ("soma", "dend", "apic", "axon"):  # the test template's own arrays
        tree.section(f"{nrn['cell']}.{name}[0]")
    _load(path, tree=tree, cell=nrn["cell"])
    compare_tree(tree, nrn)
    names = [s.name for s in tree]
    assert nrn["lists"]["all"] == names
    for array, listname in subsets(_read(path)):
        assert nrn["lists"][listname] == [n for n in names if re.search(array, n)], listname


@pytest.mark.neuron
def test_golding_neuron_morphologies_match_neuron():
    """The 40 Neurolucida reconstructions shipped in golding-neuron's wheel (MSO neurons)."""
    pytest.importorskip("neuron")
    paths = corpus_files("golding-neuron", ".asc")
    paths = [p for p in paths if "itd_job" not in str(p)]  # the package ships each file twice
    assert len(paths) >= 10, "golding-neuron's wheel has fewer .asc files than expected"
    for path, nrn in zip(paths, neuron_import3d(paths, "asc", cell=False)):
        worst = compare_tree(_load(path), nrn)
        assert max(worst.values()) <= 1e-12, path


def test_what_becomes_sections():
    morph = _read(DATA / "cellbody_trees.asc")
    secs = morph.sections
    assert secs[0].iscontour and secs[0].type == 1  # the CellBody contour moves to the front
    assert [s.type for s in secs[1:]] == [3, 3, 3, 3, 3, 4, 4, 4, 2, 3]  # "Pia", markers, text: no sections
    dend = secs[1]
    assert dend.first == 1 and dend.parent == 0 and dend.parentx == 0.5 and dend.d[0] == 0.01
    assert len(dend.d) == 4  # soma centre + 3 points: the spine and the marker are not points
    # a child starts with its parent's last point at its own first diameter ...
    child = secs[2]
    assert np.array_equal(child.xyz[0], dend.xyz[-1]) and child.d[0] == child.d[1] == 1.2
    # ... unless its first point is that point already
    assert len(secs[5].d) == 3 and np.array_equal(secs[5].xyz[0], dend.xyz[-1])


def test_tree_outside_every_soma_is_wired_to_the_nearest_with_a_warning():
    with pytest.warns(UserWarning, match="outside the soma bounding boxes"):
        tree = load_asc(DATA / "cellbody_trees.asc")
    assert tree["dend[5]"].parent == "soma[0]" and tree["dend[5]"].logical_connection is not None


def test_soma_centroid_line():
    tree = _load(DATA / "cellbody_trees.asc")
    soma = tree["soma[0]"].pt3d
    assert soma.shape == (21, 4)
    length = np.sum(np.linalg.norm(np.diff(soma[:, :3], axis=0), axis=1))
    assert 12 < length < 18 and 10 < soma[:, 3].max() < 18  # a ~17 x 17 um outline


def test_lexer_tokens():
    toks = tokens('; comment ( ignored\n("Cell Body" (Color RGB (1, 2, 3)) (1.5e1,-2 3 .5 S1)) ;x\n')
    kinds = [t.kind for t in toks]
    assert toks[1].kind == STRING and toks[1].s == "Cell Body" and toks[1].line == 2
    assert NUMBER in kinds and toks[-1].line == 2
    nums = [t.x for t in toks if t.kind == NUMBER]
    assert nums == [1.0, 2.0, 3.0, 15.0, -2.0, 3.0, 0.5]
    assert [t.s for t in toks if t.kind == LABEL] == ["Color", "S1"]


@pytest.mark.parametrize(
    "text, line, column, match",
    [
        ("((Dendrite) (0 0 0 1) (5 0 0 1)\n", 1, 32, "end of file: expected"),
        ("((Dendrite) (0 0 0 1) (5 0 0 1))\n)\n", 2, 1, "after the last object"),
        ("((Dendrite) (0 0 0 1) {5 0 0 1})\n", 1, 23, "bad text"),
        ('("CellBody (0 0 0 1))\n', 1, 2, "bad text"),
        ("((Dendrite) (0 x 0 1))\n", 1, 16, "expected 'number'"),
    ],
)
def test_bad_files_are_located_errors(text, line, column, match):
    with pytest.raises(MorphologyError, match=match) as err:
        parse_asc(text, "bad.asc")
    assert (err.value.location.line, err.value.location.column) == (line, column)
    assert "bad.asc" in str(err.value)


def test_soma_contour_stack_is_unsupported():
    contour = "(\"CellBody\" (CellBody) (0 0 {z} .1) (5 0 {z} .1) (5 5 {z} .1) (0 5 {z} .1))\n"
    with pytest.raises(UnsupportedFeature, match="contour stacks"):
        parse_asc(contour.format(z=0) + contour.format(z=2))


def test_interpolate_is_linear_and_constant_outside():
    xs, ys = [0.0, 1.0, 1.0, 3.0], [0.0, 2.0, 5.0, 9.0]  # a repeated x is skipped, as in NEURON
    got = interpolate([-1.0, 0.5, 1.0, 2.0, 4.0], xs, ys)
    assert got == [0.0, 1.0, 2.0, 7.0, 9.0]


def test_contour_center_of_a_regular_polygon():
    ang = np.linspace(0, 2 * math.pi, 40, endpoint=False)
    mean, xr, yr, zr = contour_center(3 + 2 * np.cos(ang), -1 + 2 * np.sin(ang), np.full(40, 4.0))
    # NEURON's perimeter leaves the closing edge out, which pulls the mean a little
    assert len(xr) == 101 and np.allclose(mean, [3, -1, 4], atol=0.05)
