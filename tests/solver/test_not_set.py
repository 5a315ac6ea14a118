"""Range values a model did not set take the mechanism's default; a value set to NaN stays NaN.

NaN is a number NEURON computes with (`gnabar_hh = nan` gives NaN voltages), so it
must reach the parameters as NaN, never be mistaken for "not set".
"""

from __future__ import annotations

import math

import numpy as np

from bridge.model import Model, Simulation
from bridge.morphology.tree import SectionTree


def _tree() -> SectionTree:
    tree = SectionTree()
    soma = tree.section("soma", L=20, diam=20, nseg=3)
    soma.insert("hh")
    return tree


def test_nan_set_on_one_segment_reaches_the_parameters():
    tree = _tree()
    tree["soma"].set_range("hh", "gnabar", math.nan, x=0.5)
    params = Simulation(Model(tree)).params()
    gnabar = np.asarray(params["mechanisms"]["hh"]["gnabar"])
    assert gnabar[0] == 0.12 and gnabar[2] == 0.12  # not set: hh's default
    assert math.isnan(gnabar[1])


def test_nan_set_on_the_whole_section_reaches_the_parameters():
    tree = _tree()
    tree["soma"].insert("hh", gkbar=math.nan)
    params = Simulation(Model(tree)).params()
    assert np.isnan(np.asarray(params["mechanisms"]["hh"]["gkbar"])).all()


def test_not_set_survives_nseg_change():
    tree = _tree()
    sec = tree["soma"]
    sec.set_range("hh", "gnabar", math.nan, x=0.1)
    sec.set_range("hh", "gnabar", 0.2, x=0.9)
    sec.set_nseg(6)
    assert list(sec.is_set("hh", "gnabar")) == [True, True, False, False, True, True]
    values = sec.get_range("hh", "gnabar", 0.12)
    assert np.isnan(values[:2]).all() and list(values[2:]) == [0.12, 0.12, 0.2, 0.2]


def test_ion_value_set_to_nan_reaches_the_parameters():
    tree = _tree()
    tree["soma"].insert("na_ion")
    tree["soma"].set_range("na_ion", "nai", math.nan, x=0.9)
    params = Simulation(Model(tree)).params()
    nai = np.asarray(params["ions"]["na"]["nai"])
    lay = Simulation(Model(tree)).layout
    nodes = lay.segment_nodes("soma")
    assert math.isnan(nai[nodes[2]]) and nai[nodes[0]] == 10.0
