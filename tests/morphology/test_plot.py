"""bridge.morphology.plot: headless PNG output, colouring by a value per node."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.morphology.arrays import branch_arrays
from bridge.morphology.nodes import node_layout
from bridge.morphology.plot import compartment_values, plot_morph, save_morph_png

from .test_nodes import random_recipe, y_cable_pt3d

pytest.importorskip("matplotlib")


def test_writes_png_coloured_by_node_values(tmp_path):
    tree = random_recipe(1).tree()
    lay = node_layout(tree)
    arr = branch_arrays(tree, lay)
    error = np.abs(np.sin(np.arange(lay.nnode))) * 1e-12  # a value at every NEURON node
    path = save_morph_png(tmp_path / "morph.png", arr, error, log=True, label="|dV| [mV]", title="error")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_plot_from_tree_and_colours(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    tree = y_cable_pt3d().tree()
    arr = branch_arrays(tree)
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    values = np.arange(arr.ncomp, dtype=float)
    plot_morph(tree, values, ax=ax, dims=(0, 2), cmap="magma")
    (lines,) = ax.collections
    assert len(lines.get_segments()) == arr.ncomp  # one line per compartment
    np.testing.assert_array_equal(lines.get_array(), values)
    fig.savefig(tmp_path / "y.png")
    assert (tmp_path / "y.png").stat().st_size > 1000


def test_value_mapping_and_errors():
    tree = y_cable_pt3d().tree()
    lay = node_layout(tree)
    arr = branch_arrays(tree, lay)
    per_node = np.arange(lay.nnode, dtype=float)
    np.testing.assert_array_equal(compartment_values(arr, per_node), arr.comp_nodes)
    with pytest.raises(BridgeError, match="values"):
        compartment_values(arr, np.zeros(3))
    with pytest.raises(BridgeError, match="dims"):
        plot_morph(arr, dims=(0, 3))
