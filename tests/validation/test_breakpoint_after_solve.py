"""A BREAKPOINT in a mechanism that writes no current runs after its SOLVE, in NEURON's nrn_state.

nocmodl (noccout.cpp) prints the BREAKPOINT's statements in nrn_state, after the SOLVEs, when the
mechanism's list of currents (NONSPECIFIC_CURRENT, ELECTRODE_CURRENT, USEION ... WRITE i<ion>) is
empty; its nrn_cur is then empty. Calcium pools that clamp cai this way (`if (cai > ceiling)
{ cai = ceiling }`) are common in published models. Files: tests/validation/data/breakpoint_after_solve
(our own).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bridge

DATA = Path(__file__).parent / "data" / "breakpoint_after_solve"
PROBES = ["soma(0.5).cai", "soma(0.5).eca", "soma(0.5).level_capool", "dend(0.5).cai"]


@pytest.mark.neuron
def test_a_pool_clamped_in_breakpoint_matches_neuron():
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "cell.hoc", {"recordings": PROBES}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


def test_the_clamp_holds_at_every_recorded_step():
    """cai reaches the ceiling (2e-4 mM) and never exceeds it at a recorded sample; level = cai/ceiling."""
    hoc = bridge.load_hoc(DATA / "cell.hoc", mechanisms=DATA / "mod")
    traces = bridge.Simulation(hoc.to_model(), record=PROBES).run()
    cai = np.asarray(traces["soma(0.5).cai"])
    assert cai.max() == 2e-4
    np.testing.assert_array_equal(np.asarray(traces["soma(0.5).level_capool"])[1:], cai[1:] / 2e-4)
