"""A HOC model's run within `bridge.Limits`: `tstop = 1e12` is refused at once, naming tstop,
dt, the step count and the limit, instead of counting or running for hours."""

from __future__ import annotations

import io
import time

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from bridge.limits import Limits

LONG_RUN = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh }
objref vs
vs = new Vector()
vs.record(&soma.v(0.5))
tstop = 1e12
run()
"""


def test_tstop_1e12_is_refused_at_once():
    hoc = HocSession(stdout=io.StringIO())
    hoc(LONG_RUN)
    start = time.perf_counter()
    with pytest.raises(BridgeError, match=r"tstop = 1e\+12 ms at dt = 0\.025 ms is 4e\+13 time steps, more than "
                                          r"Limits\.max_steps"):
        hoc.model().simulate()
    assert time.perf_counter() - start < 30


def test_run_within_raised_limits():
    hoc = HocSession(stdout=io.StringIO())
    hoc(LONG_RUN.replace("tstop = 1e12", "tstop = 1"))
    traces = hoc.model().simulate(limits=Limits(max_steps=40))
    assert traces.values.shape == (41, 1)
    with pytest.raises(BridgeError, match=r"is 40 time steps, more than Limits\.max_steps = 39"):
        hoc.model().simulate(limits=Limits(max_steps=39))


def test_dt_nan_is_refused_where_it_is_set():
    hoc = HocSession(stdout=io.StringIO())
    with pytest.raises(BridgeError, match=r"<python>:3:\d+: .*dt must be > 0"):
        hoc("x = 1e308*10\ncreate soma\ndt = x - x\n")
