"""A BREAKPOINT that reads what it wrote the time before (an accumulator) moves twice per step, as in NEURON.

nocmodl's nrn_cur (noccout.cpp) calls `_nrn_current` at v + 0.001 and then at v on the same instance data,
so a variable read before it is assigned in BREAKPOINT sees the first call's value in the second: a counter
`ticks = ticks + 1` grows by 2 per step. Files: tests/validation/data/breakpoint_twice (our own).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bridge

DATA = Path(__file__).parent / "data" / "breakpoint_twice"
PROBES = ["soma(0.5).ticks_accum", "soma(0.5).acc_accum", "dend(0.5).acc_accum"]


@pytest.mark.neuron
def test_an_accumulator_in_breakpoint_matches_neuron():
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "cell.hoc", {"recordings": PROBES}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


def test_the_counter_moves_twice_per_step():
    hoc = bridge.load_hoc(DATA / "cell.hoc", mechanisms=DATA / "mod")
    traces = bridge.Simulation(hoc.to_model(), record=["soma(0.5).ticks_accum"]).run()
    ticks = np.asarray(traces["soma(0.5).ticks_accum"])
    np.testing.assert_array_equal(np.diff(ticks[1:]), 2.0)
