"""NEURON's Electrode GUI tool (lib/hoc/electrod.hoc, run by bridge from the installed `neuron` package with its
windows as no-ops) against NEURON 9.0.2: a session file of ours places the tool's IClamp and VClamp at dend(0.3)
with its parameters; the runs must match to 1e-9 mV in the tool's IClamp mode (the VClamp switched off, as the
session leaves it), after HOC switches it to VClamp mode, and through its voltage-clamp family (three runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

import bridge
from bridge.testing import assert_matches_neuron

DATA = Path(__file__).resolve().parent / "data" / "electrode"
RECORD = ["soma(0.5).v", "dend(0.3).v", "dend(0.9).v"]


@pytest.mark.neuron
def test_session_electrode_builds_its_clamps():
    model = bridge.load_hoc(DATA / "init.hoc")
    pps = {pp.name: pp for pp in model.tree.point_processes}
    assert (pps["IClamp"].section, pps["IClamp"].x) == ("dend", 0.3)
    assert pps["IClamp"].params == {"del": 2.0, "dur": 20.0, "amp": 0.3}
    assert pps["VClamp"].params["dur0"] == -1.0  # installIclamp() switched it off


FAMILY = ['execute("vcsteps=2", Electrode[0])', 'execute("installFamily()", Electrode[0])',
          'execute("varyamp(1)", Electrode[0])']


@pytest.mark.neuron
@pytest.mark.parametrize("statements", [[], ['execute("installVclamp()", Electrode[0])'], FAMILY],
                         ids=["iclamp", "vclamp", "vclamp_family"])
def test_electrode_session_matches_neuron(statements):
    """The family (varyamp: run() per test level, stdrun's set_v_init and stoppedrun) compares every run."""
    result = assert_matches_neuron(DATA, {"tstop": 30, "recordings": RECORD}, statements=statements, atol=1e-9)
    if statements == FAMILY:
        assert len(result.neuron.runs) == 3 and len(result.bridge.runs) == 3
