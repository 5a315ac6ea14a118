"""`setpointer` and POINTER variables: what bridge connects and what it refuses by name.

The runs against NEURON are in tests/validation/test_pointer.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import bridge
from bridge.errors import BridgeError, HocError, HocRefusal, UnsupportedFeature

GAP = Path(__file__).parents[1] / "validation" / "data" / "gap_pointer" / "mod" / "gap.mod"
DENSITY = """NEURON { SUFFIX gapd POINTER vgap RANGE g NONSPECIFIC_CURRENT i }
PARAMETER { g = 1e-4 (S/cm2) }
ASSIGNED { v (mV) vgap (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - vgap) }
"""


def _model(tmp_path, body: str, density: bool = False):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "gap.mod").write_text(GAP.read_text())
    if density:
        (mod / "gapd.mod").write_text(DENSITY)
    hoc = tmp_path / "cell.hoc"
    hoc.write_text("create a, b\nobjref ga\na ga = new Gap(0.5)\n" + textwrap.dedent(body))
    return hoc, mod


def test_an_unset_pointer_is_an_error_at_run(tmp_path):
    hoc, mod = _model(tmp_path, "")
    model = bridge.load_hoc(hoc, mechanisms=mod).to_model()
    with pytest.raises(BridgeError, match="POINTER vgap of Gap.* was not made to point to anything"):
        bridge.Simulation(model, record=["a(0.5).v"])


@pytest.mark.parametrize("stmt, words", [
    ("strdef hx\nsetpointer ga.vgap, hx", "to this variable: bridge connects a POINTER to a "
     "segment's v or diam, a range"),
    ("setpointer ga.g, b.v(0.5)", "must be a POINTER of a point process or of a density mechanism"),
    ("x = ga.vgap", "is a POINTER: reading or assigning it"),
])
def test_what_bridge_does_not_connect_is_refused(tmp_path, stmt, words):
    hoc, mod = _model(tmp_path, stmt + "\n")
    with pytest.raises(HocRefusal, match=words) as err:
        bridge.load_hoc(hoc, mechanisms=mod)
    assert err.value.location.line == 4 + stmt.count("\n")


def test_a_density_pointer_is_set_per_segment(tmp_path):
    hoc, mod = _model(tmp_path, "a { nseg = 3 insert gapd }\nsetpointer ga.vgap, b.v(0.5)\n"
                      "setpointer a.vgap_gapd(0.1), b.v(0.5)\n", density=True)
    model = bridge.load_hoc(hoc, mechanisms=mod).to_model()
    assert model.tree["a"].pointers == {("gapd", "vgap", 0): ("b", 0.5, "", "v")}
    with pytest.raises(BridgeError, match=r"POINTER vgap of gapd at a\(0.5\) was not made to point to anything"):
        bridge.Simulation(model, record=["a(0.5).v"])


def test_a_density_pointer_needs_the_mechanism(tmp_path):
    hoc, mod = _model(tmp_path, "setpointer b.vgap_gapd(0.5), a.v(0.5)\n", density=True)
    with pytest.raises(HocError, match="gapd mechanism not inserted in section b"):
        bridge.load_hoc(hoc, mechanisms=mod)


def test_assigning_through_a_pointer_is_refused(tmp_path):
    mod = tmp_path / "w.mod"
    mod.write_text("NEURON { POINT_PROCESS W POINTER p }\nASSIGNED { p }\nBREAKPOINT { p = 1 }\n")
    with pytest.raises(UnsupportedFeature, match="assigning through POINTER 'p'") as err:
        bridge.load_mod(mod)
    assert err.value.location.line == 3
