"""bridge.morphology.arrays: Jaxley-style arrays, checked against NEURON and by hand."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.morphology.arrays import (
    branch_arrays,
    compute_children_indices,
    compute_levels,
    index_of_loc,
    interpolate_xyz,
    level_groups,
    loc_of_index,
    neuron_shape,
)
from bridge.morphology.nodes import node_layout
from bridge.morphology.tree import SectionTree

from .test_nodes import disconnect_recipe, random_recipe, reversed_recipe, y_cable, y_cable_pt3d


def pyramid():
    neuron = pytest.importorskip("neuron")
    from pathlib import Path

    from .conftest import recipe_from_hoc

    path = Path(neuron.__file__).parent / ".data" / "share" / "nrn" / "demo" / "pyramid.nrn"
    if not path.exists():
        pytest.skip("NEURON's demo files are not installed")
    return recipe_from_hoc(str(path), "forall nseg = L/50 + 1")


RECIPES = {
    "pyramid": pyramid,
    "Y": y_cable,
    "Y-pt3d": y_cable_pt3d,
    "reversed": reversed_recipe,
    "disconnect": disconnect_recipe,
    "random1": lambda: random_recipe(1),
    "random2": lambda: random_recipe(2),
}


@pytest.mark.neuron
@pytest.mark.parametrize("name", list(RECIPES))
def test_shape_matches_neuron_define_shape(name, neuron_geometry):
    """3-D points equal what h.define_shape() leaves in NEURON, bit for bit (float32 values)."""
    recipe = RECIPES[name]()
    nrn = neuron_geometry(recipe)
    shape = neuron_shape(recipe.tree())
    for sec, info in nrn.items():
        expected = np.array(info["shape"])
        assert shape[sec].shape == expected.shape, sec
        np.testing.assert_array_equal(shape[sec], expected, err_msg=sec)


@pytest.mark.neuron
@pytest.mark.parametrize("name", list(RECIPES))
def test_branch_arrays_match_neuron(name, neuron_geometry):
    recipe = RECIPES[name]()
    nrn = neuron_geometry(recipe)
    tree = recipe.tree()
    arr = branch_arrays(tree)
    assert sorted(arr.section_names) == sorted(nrn)
    for b, sec in enumerate(arr.section_names):
        info = nrn[sec]
        assert arr.nseg[b] == info["nseg"]
        comps = np.arange(arr.cumsum_nseg[b], arr.cumsum_nseg[b + 1])
        centres = [s for s in info["segs"] if 0.0 < s["x"] < 1.0]  # x order
        assert list(arr.comp_nodes[comps]) == [s["node"] for s in centres]
        np.testing.assert_array_equal(arr.radii[comps], [s["diam"] / 2 for s in centres])
        assert arr.lengths[comps].sum() == pytest.approx(info["L"], rel=1e-14)
        # xyzr runs from x = 0 to x = 1: reversed sections have NEURON's points backwards.
        pts = np.array(info["shape"])
        if info["orientation"] == 1.0:
            pts = pts[::-1]
        np.testing.assert_array_equal(arr.xyzr[b][:, :3], pts[:, :3])
        np.testing.assert_array_equal(arr.xyzr[b][:, 3], np.abs(pts[:, 3]) / 2)
        # NEURON's section order: a branch's NEURON nodes come after its parent's.
        if arr.parents[b] >= 0:
            assert arr.parents[b] < b
            assert tree[sec].parent == arr.section_names[arr.parents[b]]
            assert arr.levels[b] == arr.levels[arr.parents[b]] + 1
        else:
            assert arr.levels[b] == 0


@pytest.mark.parametrize("seed", [1, 3])
def test_branch_arrays_consistent_with_node_layout(seed):
    tree = random_recipe(seed).tree()
    lay = node_layout(tree)
    arr = branch_arrays(tree, lay)
    assert arr.ncomp == int(lay.has_membrane.sum()) == len(arr.lengths) == len(arr.radii)
    assert sorted(arr.comp_nodes) == list(np.flatnonzero(lay.has_membrane))
    rng = np.random.default_rng(seed)
    for b, sec in enumerate(arr.section_names):
        assert set(arr.children[b]) == set(compute_children_indices(arr.parents)[b])
        for x in rng.uniform(0, 1, 5):
            comp = arr.index_of_loc(b, x)
            assert arr.comp_nodes[comp] == lay.node(sec, x)  # same segment as NEURON's node_exact
            branch, xc = arr.loc_of_index(comp)
            assert branch == b and arr.index_of_loc(b, xc) == comp
    # node levels: each node one deeper than its parent
    nonroot = lay.parent >= 0
    assert np.all(arr.node_levels[nonroot] == arr.node_levels[lay.parent[nonroot]] + 1)
    assert np.all(arr.node_levels[: lay.ncell] == 0)


def test_levels_and_groups_by_hand():
    parents = np.array([-1, 0, 0, 1, 1, 3, -1, 6])
    assert list(compute_levels(parents)) == [0, 1, 1, 2, 2, 3, 0, 1]
    groups = level_groups(compute_levels(parents))
    assert [list(g) for g in groups] == [[0, 6], [1, 2, 7], [3, 4], [5]]
    assert [list(c) for c in compute_children_indices(np.array([-1, 0, 0]))] == [[1, 2], [], []]
    with pytest.raises(BridgeError, match="before"):
        compute_levels(np.array([-1, 2, 0]))


def test_index_of_loc_uses_neurons_rule():
    nseg = np.array([1, 2, 3])
    assert index_of_loc(1, 0.5, nseg) == 2  # int(2 * 0.5) = 1, not the nearer-centre tie
    assert index_of_loc(1, 0.0, nseg) == 1 and index_of_loc(1, 1.0, nseg) == 2
    assert index_of_loc(2, 1 / 3, nseg) == 4
    assert index_of_loc(2, 0.999, 4) == 11  # scalar nseg for every branch
    assert loc_of_index(4, nseg) == (2, 0.5)
    assert loc_of_index(5, 2) == (2, 0.75)
    with pytest.raises(BridgeError):
        index_of_loc(0, 1.5, nseg)
    with pytest.raises(BridgeError):
        loc_of_index(6, nseg)


def test_interpolate_xyz():
    coords = np.array([[0, 0, 0, 1], [3, 4, 0, 1], [3, 4, 0, 1], [3, 4, 5, 1.0]])
    np.testing.assert_allclose(interpolate_xyz(0.0, coords), [0, 0, 0])
    np.testing.assert_allclose(interpolate_xyz(0.25, coords), [1.5, 2, 0])
    np.testing.assert_allclose(interpolate_xyz(1.0, coords), [3, 4, 5])
    np.testing.assert_allclose(interpolate_xyz(np.array([0.5, 0.75]), coords), [[3, 4, 0], [3, 4, 2.5]])
    point = np.array([[1.0, 2, 3, 1], [1, 2, 3, 1]])  # zero length: stays at the point
    np.testing.assert_allclose(interpolate_xyz(0.5, point), [1, 2, 3])


def test_straight_line_layout_by_hand():
    """define_shape's rules: root along +x from the origin, a child at an interior location
    turned by 90 degrees, two children at the end spread by -0.4 and +0.4 rad."""
    tree = SectionTree()
    tree.section("soma", L=20, diam=10, nseg=1)
    for name in ["a", "b", "c"]:
        tree.section(name, L=10, diam=1, nseg=2)
    tree.connect("a", "soma", 1.0)
    tree.connect("b", "soma", 1.0)
    tree.connect("c", "soma", 0.5)
    shape = neuron_shape(tree)
    np.testing.assert_allclose(shape["soma"][:, :3], [[0, 0, 0], [10, 0, 0], [20, 0, 0]], atol=1e-5)
    np.testing.assert_allclose(shape["c"][-1, :3], [10, 10, 0], atol=1e-5)
    # children at soma(1): b is first in NEURON's sibling list (last connected) -> -0.4 rad
    np.testing.assert_allclose(shape["b"][-1, :2], [20 + 10 * np.cos(-0.4), 10 * np.sin(-0.4)], atol=1e-5)
    np.testing.assert_allclose(shape["a"][-1, :2], [20 + 10 * np.cos(0.4), 10 * np.sin(0.4)], atol=1e-5)
    assert list(shape["a"][:, 3]) == [1, 1, 1, 1]
