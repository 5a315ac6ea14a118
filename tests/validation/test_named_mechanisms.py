"""A mechanism the HOC names only in code bridge never runs (ModelDB 139654: `skca = new KCa(0.5)` in a branch
not taken) is still compiled for NEURON, which parses that code; one bridge refuses stops the case before
NEURON. Our own files."""

from __future__ import annotations

import textwrap

import pytest

from bridge.errors import BridgeError
from validation.case import Case, Protocol
from validation.preflight import preflight

PP = """
NEURON { POINT_PROCESS Shunt  RANGE g, e  NONSPECIFIC_CURRENT i }
UNITS { (nA) = (nanoamp)  (mV) = (millivolt)  (uS) = (microsiemens) }
PARAMETER { g = 0.001 (uS)  e = -70 (mV) }
ASSIGNED { v (mV)  i (nA) }
BREAKPOINT { i = g * (v - e) }
"""

HOC = """
load_file("stdrun.hoc")
use_shunt = 0
create soma
soma { L = 20  diam = 20  insert hh }
objref sh, stim
// Shunt in a comment and "Unused" in a string do not count
if (use_shunt) { soma sh = new Shunt(0.5) }
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 2
stim.amp = 0.2
tstop = 5
"""


def _folder(tmp_path, mod_text):
    (tmp_path / "shunt.mod").write_text(textwrap.dedent(mod_text))
    (tmp_path / "unused.mod").write_text(textwrap.dedent(PP.replace("Shunt", "Unused")))
    (tmp_path / "init.hoc").write_text(textwrap.dedent(HOC))
    return Case("named", hoc=tmp_path / "init.hoc", mechanisms=tmp_path, protocol=Protocol(tstop=5.0))


def test_a_mechanism_named_in_code_not_run_is_compiled_for_neuron(tmp_path):
    checked = preflight(_folder(tmp_path, PP))
    assert [p.name for p in checked.mod_files] == ["shunt.mod"]  # not unused.mod: named in a string only


def test_a_mechanism_named_in_code_not_run_that_bridge_refuses_stops_the_case(tmp_path):
    # C outside the subset bridge translates (a pointer), which the run reaches (BREAKPOINT calls it)
    refused = PP.replace("BREAKPOINT { i = g * (v - e) }", "BREAKPOINT {\n  i = g * (v - e)\n  c()\n}\n"
                         "PROCEDURE c() {\nVERBATIM\n  int *k = 0;\nENDVERBATIM\n}")
    with pytest.raises(BridgeError, match=r"mechanism Shunt .* cannot be used:\n.*VERBATIM"):
        preflight(_folder(tmp_path, refused))


@pytest.mark.neuron
def test_validate_runs_neuron_on_a_model_naming_a_mechanism_it_does_not_use(tmp_path):
    from validation.suite import run_case

    result = run_case(_folder(tmp_path, PP))
    assert result.passed, result.error or result.comparison.reasons
    print(f"max |dV| {result.comparison.max_dv:.3g} mV")  # shown with pytest -s
    assert result.comparison.max_dv <= 1e-9
