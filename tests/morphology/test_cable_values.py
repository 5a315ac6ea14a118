"""Bad cable values in a Python-built SectionTree: a BridgeError naming the section for what NEURON
refuses or computes NaN from (never a raw ZeroDivisionError, IndexError, ValueError...), and NEURON's
numbers for what NEURON computes with (L <= 0 is taken as 1e-9 um, Ra < 0, cm = 0)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bridge.errors import BridgeError, SimulationError
from bridge.model import Model, Simulation
from bridge.morphology.arrays import compute_levels, index_of_loc, interpolate_xyz, loc_of_index
from bridge.morphology.nodes import node_layout, section_geometry
from bridge.morphology.tree import SectionTree
from tests.solver.neuron_ref import run_neuron


def _cell() -> SectionTree:
    tree = SectionTree()
    tree.section("soma", L=20, diam=20).insert("hh")
    tree.section("dend", L=100, diam=2, nseg=3).insert("pas")
    tree.connect("dend", "soma")
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 0.1, "dur": 0.5, "amp": 0.2})
    return tree


def _set(tree: SectionTree, what: str, value) -> SectionTree:
    sec = tree["dend"]
    if what in ("diam", "cm"):
        getattr(sec, what)[1] = value
    elif what == "pt3d":
        tree.set_pt3d("dend", value)
    else:
        setattr(sec, what, value)
    return tree


@pytest.mark.parametrize("what, value, message", [
    ("Ra", 0.0, r"section dend: Ra = 0 ohm cm"),
    ("Ra", math.inf, r"section dend: Ra = inf ohm cm"),
    ("Ra", math.nan, r"section dend: Ra = nan ohm cm"),
    ("L", math.nan, r"section dend: L = nan um"),
    ("L", -math.inf, r"section dend: L = -inf um"),
    ("diam", 0.0, r"section dend: diameter diam = 0 um at dend\(0\.5\); NEURON refuses a diameter <= 0"),
    ("diam", -3.0, r"diameter diam = -3 um at dend\(0\.5\)"),
    ("diam", math.inf, r"section dend: diam = inf um at dend\(0\.5\)"),
    ("cm", math.nan, r"section dend: cm = nan at dend\(0\.5\)"),
    ("nseg", 0, r"section dend: nseg = 0 \(NEURON allows 1 to 32767\)"),
    ("nseg", 40000, r"nseg = 40000"),
    ("nseg", 2.5, r"nseg = 2\.5"),
    ("diam", None, None),  # placeholder replaced below (wrong length)
    ("pt3d", [[0, 0, 0, 2], [10, math.nan, 0, 2]], r"section dend: 3-D point 1 is \(10, nan, 0, diam 2\) um"),
    ("pt3d", [[0, 0, 0, 2], [1e39, 0, 0, 2]], r"3-D point 1 is \(inf, 0, 0, diam 2\) um as float32"),
    ("pt3d", [[0, 0, 0, 0], [10, 0, 0, 0]], r"section dend: the axial coupling at dend\(0\.166667\) is not finite"),
])
def test_bad_cable_value_names_the_section(what, value, message):
    tree = _cell()
    if value is None:  # per-segment arrays must have nseg values
        tree["dend"].diam = np.array([2.0, 2.0])
        message = r"section dend: diam has shape \(2,\), not one value per segment \(3\)"
    else:
        _set(tree, what, value)
    with pytest.raises(BridgeError, match=message):
        Simulation(Model(tree, tstop=1.0), record=["soma(0.5).v"])


def test_geometry_arithmetic_is_cs():
    """section_geometry divides as C does (HOC's area() and ri() use it): Ra = 0 gives an infinite
    conductance, not a ZeroDivisionError; a diameter whose square underflows a zero conductance."""
    tree = _cell()
    tree["dend"].Ra = 0.0
    assert np.isinf(section_geometry(tree["dend"]).rinv).all()
    tree["dend"].Ra = 35.4
    tree["dend"].diam[:] = 1e-300
    geo = section_geometry(tree["dend"])
    assert (geo.rinv == 0).all() and np.isfinite(geo.area).all()


def test_underflowing_diameter_is_reported_where_v_goes_nan():
    """A zero axial conductance at a section's end: NEURON's solve divides 0 by 0 there; bridge's NaN
    check names that node (not a node the NaN spread to)."""
    tree = _cell()
    tree["dend"].diam[:] = 1e-300
    with pytest.raises(SimulationError, match=r"v became NaN at dend\(1\), t = 0\.025 ms \(step 1 of 40\)"):
        Simulation(Model(tree, tstop=1.0), record=["soma(0.5).v"]).run()


def test_set_nseg_refuses_what_neuron_refuses():
    sec = _cell()["dend"]
    for bad in (0, -1, 0.5, math.nan, math.inf, 32768):
        with pytest.raises(BridgeError, match="nseg must be an integer from 1 to 32767"):
            sec.set_nseg(bad)
    sec.set_nseg(2.9)  # NEURON truncates
    assert sec.nseg == 2


def test_arrays_refuse_bad_indices():
    with pytest.raises(BridgeError, match="nseg must be whole numbers >= 1"):
        loc_of_index(3, 0)
    with pytest.raises(BridgeError, match="nseg must be whole numbers >= 1"):
        index_of_loc(0, 0.5, math.nan)
    with pytest.raises(BridgeError, match="branch -1 does not exist"):
        index_of_loc(-1, 0.5, 3)
    with pytest.raises(BridgeError, match="compartment -2 does not exist"):
        loc_of_index(-2, 3)
    with pytest.raises(BridgeError, match="coords must be"):
        interpolate_xyz(0.5, np.zeros((0, 4)))
    with pytest.raises(BridgeError, match="outside"):
        interpolate_xyz(math.nan, np.zeros((2, 4)))
    with pytest.raises(BridgeError, match="must come before it"):
        compute_levels([-1, -7])


def test_section_refuses_what_neurons_python_api_refuses():
    """h.Section: "L must be > 0.", "Ra must be > 0." (NaN included)."""
    for key, value in (("L", 0.0), ("L", math.nan), ("Ra", -1.0), ("Ra", 0.0), ("Ra", math.nan)):
        with pytest.raises(BridgeError, match=f"section s: {key} must be > 0"):
            SectionTree().section("s", **{key: value})


def test_length_zero_set_later_is_neurons_1e_9():
    """L <= 0 assigned to a section (as HOC may): NEURON's section_length takes 1e-9 um."""
    tree = _cell()
    tree["dend"].L = 0.0
    lay = node_layout(tree)
    assert lay.L[lay.section_index("dend")] == 1e-9


@pytest.mark.neuron
@pytest.mark.parametrize("what, value", [("cm", 0.0), ("cm", -1.0), ("cm", math.inf)])
def test_values_neuron_computes_with(what, value):
    """What NEURON computes with, bridge computes with, to NEURON's numbers (first 0.125 ms: a
    negative cm makes the cable unstable, and round-off grows with v)."""
    tree = _set(_cell(), what, value)
    node_layout(tree)  # no error
    probes = [("soma", 0.5, "v"), ("dend", 0.9, "v")]
    ours = np.asarray(Simulation(Model(tree, tstop=0.125), record=probes).run().values)
    _, theirs = run_neuron(tree, probes, tstop=0.125)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


@pytest.mark.parametrize("bad", ["nan", "inf", "1e39"])
def test_swc_point_that_is_not_finite_names_its_line(bad):
    from bridge.morphology.swc import parse_swc

    text = f"1 1 0 0 0 5 -1\n2 3 10 0 0 1 1\n3 3 20 {bad} 0 1 2\n"
    with pytest.raises(BridgeError, match=r"cell\.swc:3:1: .*not a finite float32"):
        parse_swc(text, "cell.swc")
