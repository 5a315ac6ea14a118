"""bridge.morphology.neurolucida (and .contour) against NEURON's Import3d_Neurolucida3 + Import3d_GUI."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from bridge.morphology.contour import contour_center, interpolate
from bridge.morphology.import3d import MorphologyError, subsets
from bridge.morphology.neurolucida import load_asc, parse_asc, read_asc
from bridge.morphology.neurolucida_tokens import LABEL, NUMBER, STRING, tokens
from bridge.morphology.tree import SectionTree

from .import3d_neuron import compare_tree, compare_voltages, corpus_files, neuron_import3d

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


def random_asc(seed: int) -> str:
    """A random Neurolucida cell: a noisy star-shaped CellBody outline (often not convex, so the
    centroid's side trimming runs; sometimes a stack of 2-4 such contours), 1-5 trees
    (dendrite, apical, axon) starting inside the soma box or far outside it, nested 2-3-way
    splits, commas, end labels, children that start on their parent's last point."""
    rng = np.random.default_rng(seed)
    out = [f";\tV3 text file, random test cell {seed}\n"]
    # soma outline: a noisy star (sometimes not convex) in a plane z = const
    n = int(rng.integers(5, 40))
    ang = np.sort(rng.uniform(0, 2 * math.pi, n))
    r = rng.uniform(4, 12) * (1 + rng.uniform(-0.35, 0.35, n))
    sx, sy = rng.uniform(1, 2.5), 1.0
    cz = float(np.round(rng.normal(0, 5), 2))
    pts = [(round(sx * ri * math.cos(a), 2), round(sy * ri * math.sin(a), 2)) for ri, a in zip(r, ang)]
    out.append('("CellBody"\n  (Color Red)\n  (CellBody)\n')
    out += [f"  ({x:8.2f} {y:8.2f} {cz:8.2f} {0.12:6.2f})  ;  1, {i + 1}\n" for i, (x, y) in enumerate(pts)]
    out.append(")  ;  End of contour\n\n")
    for k in range(int(rng.integers(1, 4)) if rng.random() < 0.3 else 0):  # a soma contour stack
        out.append('("CellBody"\n  (CellBody)\n')
        scale = rng.uniform(0.6, 1.2)
        out += [f"  ({x * scale:8.2f} {y * scale:8.2f} {cz + 1.5 * (k + 1):8.2f} 0.12)\n" for x, y in pts]
        out.append(")\n")
    def point(p, d):
        sep = ", " if rng.random() < 0.2 else " "
        return f"({p[0]:.2f}{sep}{p[1]:.2f}{sep}{p[2]:.2f}{sep}{d:.2f})"
    def branch(start, direction, d, depth):
        lines = []
        pos = np.array(start, dtype=float)
        k = int(rng.integers(1, 6))
        if rng.random() < 0.2:  # start on the parent's last point
            lines.append(point(pos, d))
        for _ in range(k):
            direction = direction + rng.normal(0, 0.4, 3)
            direction /= np.linalg.norm(direction)
            pos = pos + direction * rng.uniform(2, 15)
            d = max(0.2, d * rng.uniform(0.85, 1.0))
            lines.append(point(pos, d))
        if depth < 3 and rng.random() < 0.6:
            kids = [branch(pos, direction + rng.normal(0, 0.8, 3), d, depth + 1)
                    for _ in range(int(rng.integers(2, 4)))]
            lines.append("(\n" + "\n|\n".join(kids) + "\n)")
        else:
            lines.append(str(rng.choice(["Normal", "Incomplete", "High", ""])))
        return "\n".join(lines)
    for _ in range(int(rng.integers(1, 6))):
        kind = str(rng.choice(["Dendrite", "Dendrite", "Apical", "Axon"]))
        a = rng.uniform(0, 2 * math.pi)
        inside = rng.random() < 0.85
        rad = rng.uniform(1, 4) if inside else rng.uniform(30, 60)
        start = (rad * math.cos(a), rad * math.sin(a), cz + rng.normal(0, 1))
        out.append(f"( (Color Yellow)\n  ({kind})\n  {point(start, rng.uniform(1, 3))}\n")
        out.append(branch(start, np.array([math.cos(a), math.sin(a), 0.0]), 2.0, 0) + "\n)  ;  End of tree\n\n")
    return "".join(out)


@pytest.mark.neuron
def test_random_cells_match_neuron(tmp_path):
    pytest.importorskip("neuron")
    paths = []
    for seed in range(60):
        path = tmp_path / f"random{seed}.asc"
        path.write_text(random_asc(seed))
        paths.append(path)
    for path, nrn in zip(paths, neuron_import3d(paths, "asc", cell=False)):
        compare_tree(_load(path), nrn)


@pytest.mark.neuron
@pytest.mark.slow
def test_imported_cell_voltage_matches_neuron():
    """A golding-neuron cell (soma contour centroid, wired dendrites): pas everywhere, hh in the
    soma, a current step; bridge's voltages equal NEURON's own Import3d + run."""
    pytest.importorskip("neuron")
    path = next(p for p in corpus_files("golding-neuron", ".asc") if p.name == "151124_03.asc")
    dv, nsec = compare_voltages(_load(path), path, "asc", amp=3.0)
    print(f"imported {path.name}: {nsec} sections, max |dV| = {dv:.3g} mV")
    assert dv <= 1e-9  # [mV]


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


def test_public_api():
    import bridge

    tree = bridge.load_asc(DATA / "no_soma.asc", cell="Cell[2]")
    assert [s.name for s in tree] == ["Cell[2].dend[0]", "Cell[2].dend[1]", "Cell[2].dend[2]", "Cell[2].apic[0]"]


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


def test_soma_contour_stack_is_one_soma():
    morph = _read(DATA / "soma_stack.asc")
    soma = morph.sections[0]
    assert soma.iscontour and len(soma.contour_list) == 2  # the stacked contours join the first
    assert [s.type for s in morph.sections] == [1, 3, 3, 3, 2]
    tree = _load(DATA / "soma_stack.asc")
    assert tree["soma[0]"].pt3d.shape == (3, 4)  # one point per contour
    assert list(tree["soma[0]"].pt3d[:, 2]) == [0.0, 2.0, 4.0]


def test_interpolate_is_linear_and_constant_outside():
    xs, ys = [0.0, 1.0, 1.0, 3.0], [0.0, 2.0, 5.0, 9.0]  # a repeated x is skipped, as in NEURON
    got = interpolate([-1.0, 0.5, 1.0, 2.0, 4.0], xs, ys)
    assert got == [0.0, 1.0, 2.0, 7.0, 9.0]


def test_contour_center_of_a_regular_polygon():
    ang = np.linspace(0, 2 * math.pi, 40, endpoint=False)
    mean, xr, yr, zr = contour_center(3 + 2 * np.cos(ang), -1 + 2 * np.sin(ang), np.full(40, 4.0))
    # NEURON's perimeter leaves the closing edge out, which pulls the mean a little
    assert len(xr) == 101 and np.allclose(mean, [3, -1, 4], atol=0.05)
