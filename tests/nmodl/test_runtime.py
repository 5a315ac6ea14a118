"""bridge.nmodl.runtime: IF over instances when the branch assigns an array variable (real NEURON)."""

from __future__ import annotations

import pytest

from bridge.morphology.tree import SectionTree

# A file-scope LOCAL array written in one branch of an IF whose truth differs between instances
# (the pattern of ModelDB 120798's syn_g.mod): each instance's row of a[2] must follow its own branch.
LA = """
NEURON { SUFFIX la  NONSPECIFIC_CURRENT i  RANGE g, e, vth }
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { g = 0.002 (S/cm2) e = -70 (mV) vth = -60 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
LOCAL a[2]
BREAKPOINT { i = f(v)*(v - e) }
FUNCTION f(x (mV)) {
    if (x < vth) {
        f = g
    } else {
        a[0] = g*(1 + exp((x - vth)/10))
        a[1] = g*0.25
        f = a[0] - a[1]
    }
}
"""


@pytest.mark.neuron
def test_array_assigned_in_a_branch_that_differs_between_instances(tmp_path):
    from bridge.testing import assert_matches_neuron

    (tmp_path / "la.mod").write_text(LA)
    tree = SectionTree()
    tree.section("soma", L=20, diam=20).insert("hh")
    tree.section("dend", L=600, diam=1, nseg=9).insert("la")
    tree.connect("dend", "soma", 1.0)
    protocol = {"tstop": 10.0, "stimuli": [{"section": "soma", "delay": 1, "dur": 3, "amp": 0.6}]}
    assert_matches_neuron(tree, protocol, mechanisms=[tmp_path / "la.mod"], atol=1e-9)
