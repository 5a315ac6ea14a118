"""validation.neuron_run: nrnivmodl compile cache (real NEURON)."""

from __future__ import annotations

import pytest

from bridge.morphology.tree import SectionTree

# A leak whose UNITS come from an INCLUDEd file next to it (ModelDB 126467: Cont.mod INCLUDEs Unit.inc).
INC = "UNITS {\n    (mA) = (milliamp)\n    (mV) = (millivolt)\n    (S) = (siemens)\n}\n"
LEAKI = """
INCLUDE "units_own.inc"
NEURON { SUFFIX leaki  NONSPECIFIC_CURRENT i  RANGE g, e }
PARAMETER { g = 0.0003 (S/cm2) e = -58 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - e) }
"""


@pytest.mark.neuron
def test_included_files_are_compiled_with_the_mod_file(tmp_path):
    from bridge.testing import assert_matches_neuron
    from validation.neuron_run import compile_mod_files, included_files

    (tmp_path / "units_own.inc").write_text(INC)
    (tmp_path / "leaki.mod").write_text(LEAKI)
    assert [n for n, _ in included_files([tmp_path / "leaki.mod"])] == ["units_own.inc"]
    assert compile_mod_files([tmp_path / "leaki.mod"]).exists()
    tree = SectionTree()
    tree.section("soma", L=20, diam=20).insert("leaki")
    assert_matches_neuron(tree, {"tstop": 5.0, "stimuli": [{"section": "soma", "delay": 1, "dur": 2, "amp": 0.1}]},
                          mechanisms=[tmp_path / "leaki.mod"], atol=1e-9)
