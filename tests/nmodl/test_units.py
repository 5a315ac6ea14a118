"""Unit factors and constants against NEURON 9's values."""

import subprocess
import sys

import pytest

from bridge.nmodl.analysis import units
from bridge.nmodl.analysis.units import UnitError, conversion_factor, parse_unit


def test_faraday_and_gas_constant_are_neurons_2019_values():
    # the numbers `h.FARADAY` and `h.R` print in NEURON 9.0.2 (its share/lib/nrnunits.lib: 2019 SI values)
    assert conversion_factor("faraday", "coulomb") == 96485.33212331001
    assert conversion_factor("k-mole", "joule/degC") == 8.31446261815324
    assert units.FARADAY == 96485.33212331001 and units.GAS_CONSTANT == 8.31446261815324


def test_named_constants_match_nocmodl_hex_literals():
    # cachan1.mod: k = (k) (joule/degC), e = (e) (coulombs); nocmodl writes these hex doubles
    assert conversion_factor("k", "joule/degC") == float.fromhex("0x1.0b0e6d55e647cp-76")
    assert conversion_factor("e", "coulombs") == float.fromhex("0x1.7a4da290c1653p-63")


def test_aliases_prefixes_powers_and_denominators():
    defs = {"mM": parse_unit("milli/liter"), "um": parse_unit("micron")}
    mm = parse_unit("mM", defs)
    assert mm.dims == (-3, 0, 0, 0, 0, 0) and mm.factor == pytest.approx(1.0)
    per = parse_unit("/mM2-ms", defs)  # everything after '/' is in the denominator
    assert per.dims == (6, 0, -1, 0, 0, 0) and per.factor == pytest.approx(1e3)
    assert conversion_factor("faraday", "kilocoulombs") == pytest.approx(96.48533212331001, rel=1e-15)
    assert conversion_factor("milliamp/cm2", "microamp/cm2") == pytest.approx(1e3, rel=1e-15)
    assert parse_unit(".001 coul/cm3").factor == pytest.approx(1e3)


def test_unknown_unit_and_non_conformable_units_are_errors():
    with pytest.raises(UnitError, match="unknown unit 'mV'"):
        parse_unit("mV")  # NEURON's database has no mV either: files define (mV) = (millivolt)
    with pytest.raises(UnitError, match="not conformable"):
        conversion_factor("volt", "amp")


@pytest.mark.neuron
def test_constants_equal_running_neuron():
    code = "from neuron import h; print(repr(h.FARADAY), repr(h.R))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert float(out[-2]) == conversion_factor("faraday", "coulomb")
    assert float(out[-1]) == conversion_factor("k-mole", "joule/degC")


def test_a_zero_target_unit_is_an_error_not_a_division_by_zero():
    """`FARADAY = (faraday) (0 coulomb)` (found by the fuzz test): a UnitError naming the unit."""
    with pytest.raises(UnitError, match="unit \\(0 coulomb\\) is zero"):
        conversion_factor("faraday", "0 coulomb")
