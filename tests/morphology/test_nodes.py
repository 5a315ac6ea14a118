"""bridge.morphology.nodes against real NEURON: node order, parent nodes, area, ri, diam, L."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.errors import BridgeError
from bridge.morphology.nodes import PI, node_layout, pt3d_float32
from bridge.morphology.tree import SectionTree

from .conftest import Recipe

REL = 1e-12  # NEURON's own float64 arithmetic is reproduced; only the ri round trip 1/(1/rinv) may differ


def y_cable() -> Recipe:
    """Model (a) of docs/numerics.md, section 7: soma with d1 and d2 at soma(1)."""
    r = Recipe()
    r.create("soma", L=20, diam=20, Ra=100)
    r.create("d1", nseg=3, L=200, diam=2, Ra=150, cm=1.2)
    r.create("d2", nseg=5, L=150, diam=1.5, Ra=80, cm=0.9)
    r.connect("d1", "soma", 1)
    r.connect("d2", "soma", 1)
    return r


def y_cable_pt3d() -> Recipe:
    """Model (c): as (a) but d2 tapered and bent with 5 pt3d points."""
    r = Recipe()
    r.create("soma", L=20, diam=20, Ra=100)
    r.create("d1", nseg=3, L=200, diam=2, Ra=150, cm=1.2)
    r.create("d2", nseg=5, Ra=80, cm=0.9,
             pt3d=[[10, 0, 0, 2.0], [40.3, 12.1, 0, 1.7], [80.7, 30.2, 5.5, 1.3], [120.1, 20.0, 9.9, 1.1],
                   [150.33, 5.0, 12.0, 0.7]])
    r.connect("d1", "soma", 1)
    r.connect("d2", "soma", 1)
    return r


def random_recipe(seed: int, nsec: int = 60) -> Recipe:
    """A random tree (two cells) with children at x=0, interior x and x=1, several sections
    connected by their 1-end (some after they already have children), reconnections, ties
    at the same parent location, and pt3d sections with zero-length intervals."""
    rng = np.random.default_rng(seed)
    r = Recipe()
    for i in range(nsec):
        nseg = int(rng.choice([1, 1, 2, 3, 4, 5, 7, 9]))
        kw = dict(nseg=nseg, Ra=float(rng.uniform(30, 200)), cm=rng.uniform(0.5, 2.0, nseg))
        if i % 7 == 3:
            npt = int(rng.integers(2, 7))
            steps = rng.normal(0, 7, (npt, 3))
            steps[rng.random(npt) < 0.3] = 0.0  # zero-length intervals
            pts = np.cumsum(steps, axis=0)
            d = rng.uniform(0.3, 4, npt)
            kw["pt3d"] = np.column_stack([pts, d]).round(3).tolist()
        else:
            kw["L"] = float(rng.uniform(1, 300))
            kw["diam"] = rng.uniform(0.2, 6, nseg)
        r.create(f"s{i}", **kw)
    # Sections 0 and 1 are roots; each other section picks an earlier parent (no loops),
    # connected in a shuffled order so that some have children before they are connected.
    locations = [0.0, 1.0, 1.0, 0.5, 0.3, 0.77, 1.0 / 3.0]
    order = rng.permutation(np.arange(2, nsec))
    for i in order:
        parent = int(rng.integers(0, i)) if i > 4 else int(rng.integers(0, 2))
        x = float(rng.choice(locations))
        end = 1 if rng.random() < 0.15 else 0
        r.connect(f"s{i}", f"s{parent}", x, end)
    for i in rng.choice(np.arange(5, nsec), 4, replace=False):  # reconnections
        r.connect(f"s{i}", f"s{int(rng.integers(0, i))}", float(rng.choice(locations)), int(rng.random() < 0.5))
    return r


def compare(recipe: Recipe, nrn: dict) -> dict:
    """Assert the layout equals NEURON's; return the largest relative differences."""
    tree = recipe.tree()
    lay = node_layout(tree)
    worst = {"area": 0.0, "ri": 0.0, "diam": 0.0, "L": 0.0}
    nnode = 0
    for name, info in nrn.items():
        k = lay.section_index(name)
        assert lay.reversed[k] == (info["orientation"] == 1.0), name
        worst["L"] = max(worst["L"], abs(lay.L[k] - info["L"]) / info["L"])
        nnode += info["nseg"] + 1
        for seg in info["segs"]:
            x = seg["x"]
            node = lay.node(name, x)
            assert node == seg["node"], f"{name}({x}): node {node}, NEURON {seg['node']}"
            ri = 1.0 / lay.rinv[node] if lay.rinv[node] else 1e30
            worst["ri"] = max(worst["ri"], abs(ri - seg["ri"]) / seg["ri"])
            if 0.0 < x < 1.0:
                assert lay.has_membrane[node]
                worst["area"] = max(worst["area"], abs(lay.area[node] - seg["area"]) / seg["area"])
                worst["diam"] = max(worst["diam"], abs(lay.diam[node] - seg["diam"]) / seg["diam"])
                assert lay.cm[node] == seg["cm"]
        # NEURON's node at the section's connection end is the parent of its pnode[0].
        end = info["segs"][-1] if info["orientation"] == 1.0 else info["segs"][0]
        assert lay.parent[lay.first[k]] == end["node"]
    assert lay.nnode == nnode + lay.ncell
    for key, value in worst.items():
        assert value <= REL, (key, value)
    return worst


@pytest.mark.neuron
@pytest.mark.parametrize("recipe", [y_cable, y_cable_pt3d], ids=["Y", "Y-pt3d"])
def test_y_cables_match_neuron(recipe, neuron_geometry):
    r = recipe()
    worst = compare(r, neuron_geometry(r))
    assert worst["area"] == 0.0 and worst["ri"] == 0.0  # NEURON's area and ri, bit for bit


@pytest.mark.neuron
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_trees_match_neuron(seed, neuron_geometry):
    r = random_recipe(seed)
    tree = r.tree()
    assert len(tree) >= 50
    # The recipe covers what the layout must handle.
    kinds = {(s.parent_x if s.parent_x in (0.0, 1.0) else 0.5) for s in tree if s.parent}
    assert kinds == {0.0, 0.5, 1.0}
    assert any(s.child_end == 1.0 for s in tree)
    assert max(_depth(tree, s.name) for s in tree) >= 3
    compare(r, neuron_geometry(r))


def _depth(tree, name):
    d = 0
    while tree[name].parent:
        name, d = tree[name].parent, d + 1
    return d


def reversed_recipe() -> Recipe:
    """Children at x=0, x=1 and interior x of a reversed section, a reversal of a section
    that already has children, ties at one location, and a chain of x=0 attachments."""
    r = Recipe()
    r.create("a", L=10, diam=2)
    for name, nseg in [("b", 3), ("c", 2), ("d", 4), ("e", 1), ("f", 5), ("g", 2), ("h", 3)]:
        r.create(name, nseg=nseg, L=10 * nseg, diam=np.linspace(1, 3, nseg))
    r.create("p", nseg=3, pt3d=[[0, 0, 0, 1], [0, 0, 0, 2], [10, 0, 0, 1], [10, 0, 0, 3], [20, 5, 0, 5]])
    r.connect("c", "b", 0.0).connect("d", "b", 1.0).connect("e", "b", 0.4).connect("g", "b", 1.0)
    r.connect("b", "a", 1.0, child_end=1)  # b reversed after it has children
    r.connect("f", "b", 0.4).connect("h", "c", 0.0).connect("p", "b", 0.0, child_end=1)
    return r


@pytest.mark.neuron
def test_reversed_sections_and_ends_match_neuron(neuron_geometry):
    r = reversed_recipe()
    compare(r, neuron_geometry(r))


def disconnect_recipe() -> Recipe:
    """A reversed section disconnected (NEURON keeps its orientation: it becomes a reversed
    root) and connected again by the same end, with children at both of its ends."""
    r = Recipe()
    for name, nseg in [("a", 1), ("b", 3), ("c", 2), ("d", 1), ("e", 2)]:
        r.create(name, nseg=nseg, L=12 * nseg, diam=np.linspace(1, 2, nseg))
    r.connect("b", "a", 0.5, child_end=1).connect("c", "b", 1.0).connect("d", "b", 0.0).connect("e", "b", 1.0)
    r.disconnect("b").disconnect("e").connect("e", "b", 0.0, child_end=1)
    return r


@pytest.mark.neuron
def test_disconnect_keeps_orientation_as_neuron(neuron_geometry):
    r = disconnect_recipe()
    tree = r.tree()
    assert tree["b"].parent is None and tree["b"].child_end == 1.0
    compare(r, neuron_geometry(r))
    r.connect("b", "a", 0.2, child_end=1)  # same orientation again: no reversal of its children
    compare(r, neuron_geometry(r))


def test_cylinder_formulas_and_coefficients():
    """Hand-derived values from docs/numerics.md, section 1 (independent of NEURON)."""
    tree = SectionTree()
    tree.section("soma", L=20, diam=20, Ra=100)
    tree.section("d", L=90, diam=2, nseg=3, Ra=150, cm=1.5)
    tree.connect("d", "soma", 1.0)
    lay = node_layout(tree)
    assert lay.ncell == 1 and list(lay.parent) == [-1, 0, 1, 2, 3, 4, 5]
    assert lay.area[0] == 100.0 and lay.rinv[0] == 0.0 and lay.a[0] == 0.0 and lay.b[0] == 0.0
    assert lay.area[1] == pytest.approx(PI * 20 * 20)
    r_half_soma = 1e-2 * 100 * 10 / (PI * 400 / 4)
    r_half_d = 1e-2 * 150 * 15 / (PI * 4 / 4)
    assert 1 / lay.rinv[1] == pytest.approx(r_half_soma)
    assert 1 / lay.rinv[2] == pytest.approx(r_half_soma)  # soma(1) end node
    assert 1 / lay.rinv[3] == pytest.approx(r_half_d)  # d's first segment hangs on soma(1)
    assert 1 / lay.rinv[4] == pytest.approx(2 * r_half_d)
    assert lay.area[6] == 100.0 and not lay.has_membrane[6] and lay.cm[6] == 0.0
    assert list(lay.cm[3:6]) == [1.5] * 3
    i, p = 4, 3
    assert lay.a[i] == pytest.approx(-1e2 * lay.rinv[i] / lay.area[p])
    assert lay.b[i] == pytest.approx(-1e2 * lay.rinv[i] / lay.area[i])
    assert list(lay.segment_nodes("d")) == [3, 4, 5]
    assert lay.node("d", 0.0) == 2 and lay.node("d", 1.0) == 6 and lay.node("d", 0.5) == 4
    assert lay.node("soma", 0.0) == 0 and lay.node("soma", 1.0) == 2
    assert list(lay.segment) == [-1, 0, -1, 0, 1, 2, -1]


def test_pt3d_is_rounded_to_float32():
    pts, arc = pt3d_float32([[0, 0, 0, 1], [0.1, 0, 0, 1]])
    assert pts[1, 0] == float(np.float32(0.1)) != 0.1
    assert arc[-1] == float(np.float32(0.1))


def test_bad_geometry_is_an_error():
    tree = SectionTree()
    tree.section("s", diam=0.0)
    with pytest.raises(BridgeError, match="diam"):
        node_layout(tree)
    tree = SectionTree()
    tree.section("s")
    with pytest.raises(BridgeError, match="0<=x<=1"):
        node_layout(tree).node("s", 1.5)
    with pytest.raises(BridgeError, match="no section"):
        node_layout(tree).node("t", 0.5)


@pytest.mark.neuron
def test_degenerate_pt3d_match_neuron(neuron_geometry):
    """One 3-D point (NEURON takes L = 0, clamped to 1e-9), all points equal (zero length),
    repeated first and last points, a negative diameter (NEURON uses |d|)."""
    r = Recipe()
    r.create("soma", L=15, diam=15)
    r.create("one", nseg=1, pt3d=[[5, 5, 5, 3]])
    r.create("same", nseg=2, pt3d=[[1, 2, 3, 2], [1, 2, 3, 3], [1, 2, 3, 4]])
    r.create("rep", nseg=4, pt3d=[[0, 0, 0, 1], [0, 0, 0, 2], [3, 4, 0, 2], [6, 8, 1, 0.5], [6, 8, 1, 0.7]])
    r.create("neg", nseg=2, pt3d=[[0, 0, 0, 2], [10, 0, 0, -2], [20, 0, 0, 3]])
    for name in ["one", "same", "rep", "neg"]:
        r.connect(name, "soma", 0.5)
    r.connect("rep", "soma", 1.0, child_end=1)
    compare(r, neuron_geometry(r))


def _passive_steps(lay, clamps, nsteps, dt=0.025, g_pas=1e-3, e_pas=-70.0, v0=-65.0):
    """docs/numerics.md, section 2, for pas + IClamp, secondorder=0, on the layout's arrays, in NEURON's
    operation order (a numpy reference for the coefficients, not the project's solver)."""
    n, nc = lay.nnode, lay.ncell
    mem = lay.has_membrane
    v = np.full(n, v0)
    stim = np.zeros(n)
    for name, x, amp in clamps:
        i = lay.node(name, x)
        stim[i] += amp * (1.0e2 / lay.area[i])
    out = []
    for _ in range(nsteps):
        rhs = np.zeros(n)
        d = np.zeros(n)
        g = (g_pas * ((v + 0.001) - e_pas) - g_pas * (v - e_pas)) / 0.001
        rhs[mem] -= (g_pas * (v - e_pas))[mem]
        rhs += stim
        for i in range(nc, n):
            p = lay.parent[i]
            dv = v[p] - v[i]
            rhs[i] -= lay.b[i] * dv
            rhs[p] += lay.a[i] * dv
        d[mem] += g[mem]
        d += 1e-3 * (1.0 / dt) * lay.cm
        for i in range(nc, n):
            d[i] -= lay.b[i]
            d[lay.parent[i]] -= lay.a[i]
        for i in range(n - 1, nc - 1, -1):
            p = lay.parent[i]
            f = lay.a[i] / d[i]
            d[p] -= f * lay.b[i]
            rhs[p] -= f * rhs[i]
        rhs[:nc] /= d[:nc]
        for i in range(nc, n):
            rhs[i] = (rhs[i] - lay.b[i] * rhs[lay.parent[i]]) / d[i]
        v = v + rhs
        out.append(v.copy())
    return np.array(out)


@pytest.mark.neuron
@pytest.mark.parametrize("make", [y_cable_pt3d, reversed_recipe, lambda: random_recipe(3)],
                         ids=["Y-pt3d", "reversed", "random3"])
def test_coefficients_drive_neuron_passive_steps(make):
    """a, b, area, cm and the node order, used in NEURON's own step, give NEURON's voltages
    at every node (pas everywhere, IClamps on a segment and on a zero-area end node)."""
    from .conftest import run_neuron_passive

    pytest.importorskip("neuron")
    r = make()
    tree = r.tree()
    lay = node_layout(tree)
    names = list(tree.sections)
    clamps = [(names[0], 0.5, 0.3), (names[-1], 1.0, -0.05), (names[len(names) // 2], 0.3, 0.1)]
    nsteps = 40
    ours = _passive_steps(lay, clamps, nsteps)
    theirs = np.array(run_neuron_passive(r, clamps, nsteps))
    assert np.max(np.abs(ours - theirs)) <= 1e-9
    assert np.max(np.abs(theirs - theirs[0])) > 1e-3  # the voltages do move


@st.composite
def _trees(draw):
    n = draw(st.integers(1, 25))
    tree = SectionTree()
    for i in range(n):
        tree.section(f"s{i}", nseg=draw(st.integers(1, 6)), L=draw(st.floats(0.5, 500)),
                     diam=draw(st.floats(0.1, 20)), Ra=draw(st.floats(10, 300)))
    for i in range(1, n):
        if draw(st.booleans()) or i < 3:
            tree.connect(f"s{i}", f"s{draw(st.integers(0, i - 1))}", draw(st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0])),
                         draw(st.sampled_from([0, 0, 1])))
    return tree


@given(_trees())
@settings(max_examples=60, deadline=None)
def test_layout_invariants(tree):
    lay = node_layout(tree)
    nonroot = np.arange(lay.ncell, lay.nnode)
    assert lay.ncell == len(tree.roots()) and np.all(lay.parent[: lay.ncell] == -1)
    assert np.all(lay.parent[nonroot] < nonroot) and np.all(lay.parent[nonroot] >= 0)
    assert np.all(lay.area[~lay.has_membrane] == 100.0) and np.all(lay.cm[~lay.has_membrane] == 0.0)
    np.testing.assert_allclose(lay.a[nonroot], -1e2 * lay.rinv[nonroot] / lay.area[lay.parent[nonroot]], rtol=1e-15)
    np.testing.assert_allclose(lay.b[nonroot], -1e2 * lay.rinv[nonroot] / lay.area[nonroot], rtol=1e-15)
    for sec in tree:
        nodes = lay.segment_nodes(sec.name)
        assert [lay.node(sec.name, x) for x in sec.segment_centres()] == list(nodes)
        assert np.all(lay.section[nodes] == lay.section_index(sec.name))
        assert list(lay.segment[nodes]) == list(range(sec.nseg))
        total = lay.area[nodes].sum()
        assert total == pytest.approx(PI * float(sec.diam[0]) * sec.L, rel=1e-12)
        # the resistance from the section's near end to its far end is Ra L / (pi d^2/4)
        far = lay.node(sec.name, 0.0 if lay.reversed[lay.section_index(sec.name)] else 1.0)
        chain = list(nodes if not lay.reversed[lay.section_index(sec.name)] else nodes[::-1]) + [far]
        r = sum(1.0 / lay.rinv[i] for i in chain)
        assert r == pytest.approx(1e-2 * sec.Ra * sec.L / (PI * float(sec.diam[0]) ** 2 / 4), rel=1e-12)


@pytest.mark.neuron
def test_real_morphology_matches_neuron(neuron_geometry):
    """NEURON's pyramid.nrn demo (79 sections, 2116 3-D points, ntscable output) with the
    demo's own nseg rule."""
    neuron = pytest.importorskip("neuron")
    from pathlib import Path

    from .conftest import recipe_from_hoc

    path = Path(neuron.__file__).parent / ".data" / "share" / "nrn" / "demo" / "pyramid.nrn"
    if not path.exists():
        pytest.skip("NEURON's demo files are not installed")
    r = recipe_from_hoc(str(path), "forall nseg = L/50 + 1")
    tree = r.tree()
    assert len(tree) == 79 and sum(len(s.pt3d) for s in tree if s.pt3d is not None) == 2116
    worst = compare(r, neuron_geometry(r))
    assert worst["area"] == 0.0 and worst["ri"] == 0.0
