"""bridge.nmodl.syntax.include: INCLUDE "file" as nocmodl reads it (against real NEURON)."""

from __future__ import annotations

import pytest

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.morphology.tree import SectionTree
from bridge.nmodl.load import load_mod, load_text

INC = """
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}
FUNCTION boltz(v (mV), vh (mV), k (mV)) {
    boltz = 1/(1 + exp(-(v - vh)/k))
}
"""
MOD = """
INCLUDE "common.inc"
NEURON { SUFFIX kinc  USEION k READ ek WRITE ik  RANGE gbar }
PARAMETER { gbar = 0.004 (S/cm2) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) }
STATE { n }
INITIAL { n = boltz(v, -40, 8) }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*(v - ek)
}
DERIVATIVE states { n' = (boltz(v, -40, 8) - n)/3 }
"""


def _files(tmp_path):
    (tmp_path / "common.inc").write_text(INC)
    (tmp_path / "kinc.mod").write_text(MOD)
    return tmp_path / "kinc.mod"


@pytest.mark.neuron
def test_included_units_and_function_match_neuron(tmp_path):
    from bridge.testing import assert_matches_neuron

    mod = _files(tmp_path)
    tree = SectionTree()
    tree.section("soma", L=20, diam=20).insert("hh")
    tree["soma"].insert("kinc")
    protocol = {"tstop": 10.0, "stimuli": [{"section": "soma", "delay": 1, "dur": 3, "amp": 0.4}]}
    assert_matches_neuron(tree, protocol, mechanisms=[mod], atol=1e-9)


def test_a_missing_include_is_an_error_at_the_include(tmp_path):
    (tmp_path / "m.mod").write_text('NEURON { SUFFIX m }\nINCLUDE "nowhere.inc"\n')
    with pytest.raises(SemanticError, match=r'm\.mod:2:1.*INCLUDE "nowhere\.inc": no such file'):
        load_mod(tmp_path / "m.mod")


def test_a_file_that_includes_itself_is_an_error(tmp_path):
    (tmp_path / "a.inc").write_text('INCLUDE "b.inc"\n')
    (tmp_path / "b.inc").write_text('INCLUDE "a.inc"\n')
    (tmp_path / "m.mod").write_text('NEURON { SUFFIX m }\nINCLUDE "a.inc"\n')
    with pytest.raises(SemanticError, match="includes itself"):
        load_mod(tmp_path / "m.mod")


def test_include_in_text_without_a_file_is_refused():
    with pytest.raises(UnsupportedFeature, match="without a file"):
        load_text('NEURON { SUFFIX m }\nINCLUDE "x.inc"\n')
