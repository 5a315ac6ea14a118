"""FUNCTION_TABLE filled from HOC (`table_<name>_<suffix>(...)`), run against NEURON 9.

tests/validation/data/function_table (our own files): ftk's taun from two Vectors (uneven
abscissae, changed after the call: NEURON reads the storage while it runs), ninf 2-D from a HOC
array on a grid (v, celsius = 13 between grid rows), scale a constant, gmod from Vector
elements with an abscissae pointer (spikes pass its last abscissa: the clamped end). Changing
any table moves soma's v by 0.7 to 67 mV.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bridge
from bridge.errors import BridgeError, HocError, SemanticError

DATA = Path(__file__).parent / "data" / "function_table"


@pytest.mark.neuron
def test_function_tables_from_hoc_match_neuron():
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "cell.hoc", mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


def _hoc(tmp_path, text: str):
    hoc = tmp_path / "cell.hoc"
    hoc.write_text("create soma\nsoma insert ftk\n" + text)
    return hoc


def test_a_table_without_values_stops_the_run(tmp_path):
    model = bridge.load_hoc(_hoc(tmp_path, "table_scale_ftk(1)\n"), mechanisms=DATA / "mod").to_model()
    with pytest.raises(BridgeError, match="FUNCTION_TABLE taun of ftk has no values"):
        bridge.Simulation(model, record=["soma(0.5).v"])


@pytest.mark.parametrize("stmt, words", [
    ("objref a, b\na = new Vector(3)\nb = new Vector(4)\ntable_taun_ftk(a, b)", "Vector arguments not same size"),
    ("objref a, b\na = new Vector(3)\nb = new Vector(3)\ntable_ninf_ftk(a, b)",
     "Vector arguments allowed only for functions of one variable"),
    ("double y[4]\ntable_taun_ftk(&y[0], 4, 10, -10)", "min > max"),
    ("double y[4]\ntable_taun_ftk(&y[0], 0, -10, 10)", "size arg < 1"),
    ("double y[4]\ntable_taun_ftk(&y[0], 1e300, -10, 10)", "is not a table size"),
    ('table_taun_ftk("x")', "bridge takes a constant, two Vectors or a pointer"),
])
def test_hoc_spec_table_errors(tmp_path, stmt, words):
    with pytest.raises(HocError, match=words):
        bridge.load_hoc(_hoc(tmp_path, stmt + "\n"), mechanisms=DATA / "mod")


def test_a_pointer_past_the_storage_is_refused(tmp_path):
    hoc = _hoc(tmp_path, "double y[4]\ntable_taun_ftk(&y[0], 5, -10, 10)\n")
    with pytest.raises(BridgeError, match="5 values from element 0 on, but the storage holds 4"):
        bridge.load_hoc(hoc, mechanisms=DATA / "mod").to_model()


def test_a_table_of_no_arguments_is_refused_as_nocmodl_does(tmp_path):
    mod = tmp_path / "z.mod"
    mod.write_text("NEURON { SUFFIX z }\nFUNCTION_TABLE k()\n")
    with pytest.raises(SemanticError, match="FUNCTION_TABLE declaration must have one or more arguments: k"):
        bridge.load_mod(mod)


@pytest.mark.neuron
def test_a_table_built_from_a_function_table_matches_neuron():
    """A PROCEDURE's TABLE that reads a FUNCTION_TABLE (ModelDB 121060's channels): the FUNCTION_TABLE's values
    reach the TABLE's building (bridge stopped with a KeyError)."""
    from bridge.testing import assert_matches_neuron

    data = DATA.parent / "function_table_in_table"
    result = assert_matches_neuron(data / "cell.hoc", mechanisms=data / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
