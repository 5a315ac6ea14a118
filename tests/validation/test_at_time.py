"""`at_time(te)` and `state_discontinuity(x, value)` in BREAKPOINT, as NEURON's fixed step runs them.

cvodestb.cpp `at_time`: 1 in the step whose (t - dt, t] holds te - 1e-11, with t NEURON's thread time where
the block runs (t_n + dt/2 in nrn_cur). nrnoc's `state_discontinuity` assigns only while state_discon_allowed_
and not state_discon_flag_: nocmodl's nrn_cur sets the flag around its second BREAKPOINT run (at v), so the
jump is made once, in the first run (at v + 0.001); fcurrent() makes none. bridge treated at_time() as 0, so
such a synapse never fired (ModelDB 146565's glutamate synapses). Files: tests/validation/data/at_time (ours).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bridge

DATA = Path(__file__).parent / "data" / "at_time"
PROBES = ["soma(0.5).v", "AtSyn[0].g", "AtSyn[1].g", "AtSyn[0].kicks"]


@pytest.mark.neuron
def test_a_synapse_kicked_with_at_time_matches_neuron():
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "cell.hoc", {"recordings": PROBES}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


def test_each_kick_is_made_once():
    hoc = bridge.load_hoc(DATA / "cell.hoc", mechanisms=DATA / "mod")
    traces = bridge.Simulation(hoc.to_model(), record=["AtSyn[0].g", "AtSyn[0].kicks"]).run()
    g = np.asarray(traces["AtSyn[0].g"])
    kicks = np.asarray(traces["AtSyn[0].kicks"])
    t = np.asarray(traces.t)
    assert kicks[-1] == 2.0  # two BREAKPOINT runs in the step that reaches 5 ms: the counter moves twice
    jump = np.flatnonzero(np.diff(g) > 0.01)
    assert len(jump) == 2 and abs(t[jump[0] + 1] - 5.0) < 0.03 and abs(t[jump[1] + 1] - 15.0) < 0.03
    assert 0.019 < g[jump[0] + 1] < 0.0201  # w, once (not twice)


@pytest.mark.neuron
def test_a_kick_train_from_a_loop_with_a_range_end_matches_neuron():
    """FROM count = 0 TO Nspike - 1 { IF (at_time(...)) { state_discontinuity(...) } } with Nspike a RANGE
    PARAMETER that differs between instances: a traced loop with an IF inside (the IF must leave the loop's
    shared values, t and celsius, as they were)."""
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "train.hoc", {"recordings": ["soma(0.5).v", "Train[0].g", "Train[1].g"]},
                                   mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
