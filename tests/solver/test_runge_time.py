"""t after METHOD runge's round trips (bridge.solver.runge_time): the jitted loop and the HOC side's Python
loop make the same roundings; a runge SOLVE in an ARTIFICIAL_CELL is refused. (The parity with NEURON:
tests/hoc/test_runge.py, tests/validation/test_methods.py.)"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from bridge.errors import UnsupportedFeature
from bridge.nmodl.load import analyze_text
from bridge.solver.runge_time import after_runge, after_runge_float


def test_jitted_round_trips_equal_the_python_ones():
    run = jax.jit(after_runge, static_argnums=2)
    ts = [0.0125, 1.0, 37.3, 99.9875, 250.00000000001, 1234.5678]
    for t in ts:
        for half in (0.0125, 0.00625, 0.005):
            for count in (1, 3, 8, 9, 40):
                want = after_runge_float(t, half, count)
                assert float(run(np.float64(t), np.float64(half), count)) == want, (t, half, count)
    # the round trip is not the identity everywhere: at 37.3 ms each one moves t one ulp up
    assert after_runge_float(37.3, 0.0125, 5) == 37.3 + 5 * np.spacing(37.3)


def test_runge_in_an_artificial_cell_is_refused():
    text = """
NEURON { ARTIFICIAL_CELL rkcell }
STATE { x }
BREAKPOINT { SOLVE s METHOD runge }
DERIVATIVE s { x' = -x }
NET_RECEIVE (w) { x = x + w }
"""
    with pytest.raises(UnsupportedFeature, match="METHOD runge in an ARTIFICIAL_CELL"):
        analyze_text(text, "rkcell.mod")
