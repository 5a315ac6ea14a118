"""A reversal potential of a model's own ion (`ekir`, USEION kir) set inside a template.

NEURON registers every compiled mechanism, and with it every ion of a USEION, before any HOC runs:
`ekir` is a range variable when the template is compiled, before `insert kirchan` names the mechanism.
bridge reads .mod files when the HOC first needs them; a name of an ion it has not read yet makes it read
every mechanism file (catalog.Catalog._read_every_file), so `ekir` is not taken for a template variable.
Files: tests/hoc/data/template_ion (our own).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bridge

DATA = Path(__file__).parent / "data" / "template_ion"


def test_the_ion_variable_is_a_range_variable_in_the_template():
    hs = bridge.HocSession(mechanisms=DATA / "mod")
    hs.load_file(DATA / "cell.hoc")
    hs("x = cell.soma.ekir(0.5)")
    assert hs.x == -90.0


@pytest.mark.neuron
def test_a_template_setting_its_own_ion_matches_neuron():
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "cell.hoc", {"recordings": ["Cell[0].soma(0.5).ekir",
                                                                      "Cell[0].soma(0.5).ikir"]},
                                   mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
