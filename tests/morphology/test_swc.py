"""bridge.morphology.swc against NEURON's own Import3d (Import3d_SWC_read + Import3d_GUI.instantiate)."""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import bridge
from bridge.morphology.import3d import MorphologyError, section_names, subsets
from bridge.morphology.swc import load_swc, parse_swc, read_swc, strtof
from bridge.morphology.tree import SectionTree

from .import3d_neuron import compare_tree, compare_voltages, corpus_files, neuron_import3d

DATA = Path(__file__).parent / "data"
SWC_FILES = sorted(DATA.glob("*.swc"))
TEMPLATE_ARRAYS = ("soma", "dend", "apic", "axon")  # what the Cell template of import3d_neuron creates


@pytest.fixture(scope="module")
def nrn_nil():
    pytest.importorskip("neuron")
    return dict(zip(SWC_FILES, neuron_import3d(SWC_FILES, "swc", cell=False)))


def _load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # chk_valid's notices; tested below
        return load_swc(path)


@pytest.mark.neuron
@pytest.mark.parametrize("path", SWC_FILES, ids=[p.stem for p in SWC_FILES])
def test_instantiate_nil_matches_neuron(path, nrn_nil):
    worst = compare_tree(_load(path), nrn_nil[path])
    assert max(worst.values()) <= 1e-12


@pytest.mark.neuron
@pytest.mark.parametrize("stem", ["three_point_soma", "contour_soma", "no_soma", "zero_length"])
def test_instantiate_in_cell_template_matches_neuron(stem):
    """`instantiate(obj)`: names `Cell[0].soma[0]`, arrays of the template re-created at the
    end, arrays the file does not use left as the template made them, SectionLists filled."""
    pytest.importorskip("neuron")
    path = DATA / f"{stem}.swc"
    # one NEURON per file: `~create dend[n]` in a template resizes the array for later instances
    (nrn,) = neuron_import3d([path], "swc", cell=True)
    cell = nrn["cell"]
    tree = SectionTree()
    for name in TEMPLATE_ARRAYS:
        tree.section(f"{cell}.{name}[0]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        morph = read_swc(path)
        load_swc(path, tree=tree, cell=cell)
    compare_tree(tree, nrn)
    names = [s.name for s in tree]
    assert nrn["lists"]["all"] == names
    for array, listname in subsets(morph):
        if listname in nrn["lists"]:
            assert nrn["lists"][listname] == [n for n in names if re.search(array, n)], listname


@pytest.mark.neuron
def test_instantiate_replaces_existing_arrays_as_neuron():
    """`~create soma[1]` replaces a plain `soma` too; other sections stay, first in order."""
    pytest.importorskip("neuron")
    path = DATA / "contour_soma.swc"
    (nrn,) = neuron_import3d([path], "swc", before="create soma, dend, extra")
    tree = SectionTree()
    for name in ("soma", "dend", "extra"):
        tree.section(name)
    compare_tree(load_swc(path, tree=tree), nrn)
    assert [s.name for s in tree][:2] == ["extra", "soma[0]"]


@pytest.mark.neuron
def test_bmtk_morphologies_match_neuron():
    """The SWC files shipped in bmtk's wheel (Allen Cell Types reconstructions)."""
    pytest.importorskip("neuron")
    paths = corpus_files("bmtk", ".swc")
    assert paths, "bmtk's wheel has no .swc files any more"
    for path, nrn in zip(paths, neuron_import3d(paths, "swc", cell=False)):
        worst = compare_tree(_load(path), nrn)
        assert max(worst.values()) <= 1e-12, path


def random_small_swc(seed: int) -> str:
    """A small random SWC text: one of six soma conventions (none, one point, NeuroMorpho 3-point,
    a 3-point soma that is not NeuroMorpho's, a chain, a branched soma), then points that
    continue or branch off any earlier point (soma included), change type now and then,
    sometimes start a new tree or repeat their parent point (zero length)."""
    rng = np.random.default_rng(seed)
    rows = []
    soma = rng.choice(["none", "one", "three", "chain", "branched", "threebad"])
    def add(t, xyz, r, p):
        rows.append([len(rows) + 1, t, *np.round(xyz, 3), round(r, 3), p])
        return len(rows)
    if soma == "none":
        add(int(rng.choice([2, 3, 4])), rng.normal(0, 5, 3), 1.0, -1)
    elif soma == "one":
        add(1, rng.normal(0, 5, 3), 4.0, -1)
    elif soma in ("three", "threebad"):
        c = rng.normal(0, 5, 3)
        r = 4.0
        add(1, c, r, -1)
        add(1, c + [0, -r, 0], r, 1)
        add(1, c + [0, r if soma == "three" else 2 * r, 0], r, 1)
    else:
        k = int(rng.integers(2, 7))
        add(1, [0, 0, 0], 2.0, -1)
        for i in range(1, k):
            p = i if soma == "chain" or i < 2 else int(rng.integers(1, i + 1))
            add(1, [rng.normal(), 2.0 * i, rng.normal()], float(rng.uniform(1, 4)), p)
    n = int(rng.integers(5, 60))
    last = None
    for _ in range(n):
        u = rng.random()
        if last is None or u < 0.3:
            p = int(rng.integers(1, len(rows) + 1))
        else:
            p = last
        if rng.random() < 0.04:
            p = -1
        pt = rows[p - 1][1] if p > 0 else 3
        if pt != 1 and rng.random() < 0.85:
            t = pt
        else:
            t = int(rng.choice([2, 3, 3, 4, 1 if rng.random() < 0.1 else 3, 5]))
        base = np.array(rows[p - 1][2:5], dtype=float) if p > 0 else rng.normal(0, 20, 3)
        step = rng.normal(0, 1, 3) * (0.0 if rng.random() < 0.03 else rng.uniform(1, 10))
        last = add(t, base + step, float(rng.uniform(0.2, 2)), p)
    return "".join(" ".join(str(v) for v in r) + "\n" for r in rows)


@pytest.mark.neuron
def test_random_swc_files_match_neuron(tmp_path):
    pytest.importorskip("neuron")
    paths = []
    for seed in range(120):
        path = tmp_path / f"random{seed}.swc"
        path.write_text(random_small_swc(seed))
        paths.append(path)
    for path, nrn in zip(paths, neuron_import3d(paths, "swc", cell=False)):
        compare_tree(_load(path), nrn)


def test_soma_conventions():
    """The rules NEURON applies, spelled out on the small files (checked against NEURON above)."""
    three = _load(DATA / "three_point_soma.swc")
    soma = three["soma[0]"].pt3d
    assert soma.shape == (3, 4) and soma[0, 0] == 4.0 and soma[2, 0] == 17.0  # x -+ d/2, L = diam
    assert three["dend[0]"].parent == "soma[0]" and three["dend[0]"].parent_x == 0.5
    assert three["dend[0]"].logical_connection == (10.5, 20.25, -3.125)
    contour = _load(DATA / "contour_soma.swc")
    assert [s.name for s in contour if s.name.startswith("soma")] == ["soma[0]"]
    assert contour["dend[0]"].parent_x == 0.0  # child of the soma's first point
    assert contour["apic[0]"].parent_x == 1.0  # child of its last point
    assert contour["dend[3]"].parent_x == 0.5  # child of an interior soma point, by a wire
    assert contour["dend[3]"].logical_connection == (0.0, 4.0, 0.0)
    # a non-soma child of the soma starts with the soma point at its own diameter
    assert np.array_equal(contour["apic[0]"].pt3d[0], [0.0, 10.0, 0.0, 3.0])
    nosoma = _load(DATA / "no_soma.swc")
    # children of a non-soma root point hang off 0 of the root section
    assert [(s.parent, s.parent_x) for s in nosoma][3:] == [("dend[0]", 0.0), ("dend[0]", 0.0)]


def test_names_and_creation_order():
    tree = _load(DATA / "type_change.swc")
    assert [s.name for s in tree] == ["minus_2[0]", "dend_0[0]", "soma[0]", "axon[0]", "dend[0]", "apic[0]",
                                      "dend_7[0]"]
    assert all(s.nseg == 1 for s in tree)


def test_cell_prefix_and_public_api():
    tree = bridge.load_swc(DATA / "single_point_soma.swc", cell="Cell[3]")
    assert next(iter(tree)).name == "Cell[3].soma[0]"
    assert tree["Cell[3].dend[0]"].parent == "Cell[3].soma[0]"


def test_chk_valid_removal_is_reported():
    with pytest.warns(UserWarning, match="0 length has been removed"):
        tree = load_swc(DATA / "zero_length.swc")
    # the zero-length dend between points 4 and 5 is gone; its children hang off dend[0]
    assert [s.name for s in tree][-1] == "dend[3]"
    assert tree["dend[1]"].parent == "dend[0]" and tree["dend[2]"].parent == "dend[0]"


def test_values_are_scanned_as_float32_like_hoc_sscanf():
    morph = read_swc(DATA / "odd_text.swc")
    root = morph.sections[0]
    assert root.xyz[0, 1] == float(np.float32(0.123456789012))
    assert section_names(morph)[:2] == ["soma[0]", "dend[0]"]
    assert morph.sections[1].xyz[1, 0] == 16.0  # 0x10


def test_strtof_is_correctly_rounded_like_libc():
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.strtof.restype = ctypes.c_float
    libc.strtof.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    rng = np.random.default_rng(7)
    texts = [f"{v:.{k}g}" for v, k in zip(rng.normal(0, 300, 3000), rng.integers(1, 20, 3000))]
    # float32 midpoints and neighbours written with 30 digits: double rounding would go wrong
    f = rng.normal(0, 100, 300).astype(np.float32)
    mids = (f.astype(float) + np.nextafter(f, np.float32(np.inf)).astype(float)) / 2
    texts += [f"{m:.30g}" for m in mids] + [f"{m + 1e-300 * 0:.25e}" for m in mids]
    texts += ["16777217", "0.1", "-0", "1e-46", "3.4028236e38", "0x1.8p3"]
    ours = strtof(texts)
    want = [libc.strtof(t.encode(), None) for t in texts]
    assert np.array_equal(ours, np.array(want, dtype=float))


@pytest.mark.parametrize(
    "text, line, column, match",
    [
        ("1 1 0 0 0 5 -1\n2 3 0 1 0 1\n", 2, 12, "7 numbers"),
        ("1 1 0 0 0 5 -1\n2 3 0 1 x 1 1\n", 2, 9, "7 numbers"),
        ("1 1 0 0 0 5 -1\n2 3 0 1 0 1 2\n", 2, 1, "not less than id"),
        ("1 1 0 0 0 5 -1\n3 3 0 1 0 1 1\n2 3 0 2 0 1 1\n", 3, 1, "does not increase"),
        ("1 1 0 0 0 5 -1\n1 3 0 1 0 1 -1\n", 2, 1, "does not increase"),
        ("1 1 0 0 0 5 -1\n3 3 0 1 0 1 2\n", 2, 1, "not in the file"),
        ("1 1 0 0 0 5 -1\n2.5 3 0 1 0 1 1\n", 2, 1, "integers"),
        ("1 1 0 0 0 5 -1\n2 3 0 nan 0 1 1\n", 2, 1, "finite"),
        ("1 1 0 0 0 5 -1\r2 3 0 1 0 1 1\r", 1, 15, "carriage return"),
    ],
)
def test_bad_swc_is_a_located_error(text, line, column, match):
    with pytest.raises(MorphologyError, match=match) as err:
        parse_swc(text, "bad.swc")
    assert err.value.location.line == line and err.value.location.column == column
    assert "^" in str(err.value) and "bad.swc" in str(err.value)


def test_empty_file_gives_no_sections():
    assert len(parse_swc("# nothing\n\n").sections) == 0



@pytest.mark.neuron
@pytest.mark.slow
def test_imported_cell_voltage_matches_neuron():
    """Import3d of a bmtk cell, pas everywhere and hh in the soma, a current step: bridge's
    voltages equal NEURON's own Import3d + run (soma, a dendrite, the last section's end)."""
    pytest.importorskip("neuron")
    path = next(p for p in corpus_files("bmtk", ".swc") if "Scnn1a_473845048" in p.name)
    dv, nsec = compare_voltages(_load(path), path, "swc")
    print(f"imported {path.name}: {nsec} sections, max |dV| = {dv:.3g} mV")
    assert dv <= 1e-9  # [mV]
