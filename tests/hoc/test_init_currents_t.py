"""finitialize's current evaluation (since s24 the run loop's first iteration, bridge.solver.integrate) at t = 0
against NEURON 9.0.2: a BREAKPOINT that reads t (tests/hoc/data/init_currents_t, ours) records tb = 0 at t = 0
and t - dt/2 after each step, and its current moves v with t."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bridge.testing import assert_matches_neuron

DATA = Path(__file__).resolve().parent / "data" / "init_currents_t"


@pytest.mark.neuron
def test_breakpoint_reading_t_at_finitialize_matches_neuron():
    result = assert_matches_neuron(DATA, {"tstop": 5, "recordings": ["soma(0.5).v", "soma(0.5).tb_tread"]},
                                   atol=1e-9)
    for side in (result.bridge, result.neuron):  # the t = 0 sample is finitialize's evaluation, at t = 0
        tb = np.asarray(side.values)[:, list(side.labels).index("soma(0.5).tb_tread")]
        assert tb[0] == 0.0 and tb[1] == 0.0125
