"""scopmath's stepforce(t, "file") (src/scopmath/force.cpp) against real NEURON 9.0.2, and its refusals.

The data file is in NEURON's reference data format (6 header lines, then x y pairs), written here:
unsorted points (NEURON sorts them), values a C float rounds, a conductance switched on at a
threshold crossing and read at t - t0 (the form of ModelDB 135838's GNa.mod), and a step read at
t itself in a point process.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.nmodl.load import load_mod
from bridge.nmodl.runtime.forcing import stepforce
from bridge.nmodl.syntax.forcing import read_points
from bridge.testing import assert_matches_neuron

HEADER = "Reference data file\nline 2\nline 3\nline 4\nline 5\nline 6\n"

GATED = """
NEURON {
    SUFFIX gstep
    USEION na READ ena WRITE ina
    RANGE vthreshold, gbar, gt, on, t0
}
PARAMETER { vthreshold = -50 (mV) gbar = 0.05 (S/cm2) }
ASSIGNED { v (mV) ena (mV) ina (mA/cm2) on t0 (ms) gt }
INITIAL { on = 0 t0 = 0 gt = 0 }
BREAKPOINT {
    SOLVE check METHOD after_cvode
    if (on) {
        gt = stepforce(t - t0, "g.dat")
        ina = gbar*gt*(v - ena)
    } else {
        gt = 0
        ina = 0
    }
}
PROCEDURE check() {
    if (on == 0 && v > vthreshold) {
        on = 1
        t0 = t
    }
}
"""

PULSE = """
NEURON { POINT_PROCESS StepI  NONSPECIFIC_CURRENT i  RANGE i, amp }
PARAMETER { amp = 0.1 (nA) }
ASSIGNED { v (mV) i (nA) }
BREAKPOINT { i = -amp*stepforce(t, "i.dat") }
"""

HOC = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert pas g_pas = 1e-4 e_pas = -65 insert gstep ena = 50 }
dend { L = 150 diam = 1 nseg = 7 insert pas g_pas = 1e-4 e_pas = -65 insert gstep ena = 50 vthreshold_gstep = -40 }
objref p
soma p = new StepI(0.5)
tstop = 6
"""


def _gate_points() -> str:
    # a rise and fall of the conductance, x in steps of 0.0125 ms (mid-step times at dt = 0.025),
    # written out of order; y values that a C float rounds (0.1, 1/3)
    xs = np.arange(0, 401) * 0.0125
    ys = np.where(xs < 0.5, xs * 2 / 3.0, np.exp(-(xs - 0.5)))
    order = np.r_[np.arange(200, 401), np.arange(0, 200)]
    return "".join(f"{xs[k]:.7f}\t{ys[k]:.10g}\n" for k in order)


def _pulse_points() -> str:
    # t = 0..7 ms: off, on at 1.0 (a step boundary), off at 2.0125 (mid-step), on at 3.3
    pts = [(0, 0), (1.0, 1), (2.0125, 0), (3.3, 0.5), (4.0, 2.5), (7.0, 0)]
    return "".join(f"  {x:g}  {y:g}\n" for x, y in pts)


def _write(tmp_path):
    (tmp_path / "gstep.mod").write_text(textwrap.dedent(GATED))
    (tmp_path / "stepi.mod").write_text(textwrap.dedent(PULSE))
    (tmp_path / "g.dat").write_text(HEADER + _gate_points())
    (tmp_path / "i.dat").write_text(HEADER + _pulse_points())
    (tmp_path / "model.hoc").write_text(textwrap.dedent(HOC))
    return tmp_path / "model.hoc"


@pytest.mark.neuron
def test_stepforce_matches_neuron(tmp_path):
    protocol = {"tstop": 6, "dt": 0.025, "v_init": -65, "default_steps": False,
                "stimuli": [{"section": "soma", "x": 0.5, "delay": 0.5, "dur": 0.3, "amp": 0.3}],
                "recordings": ["soma(0.5).v", "dend(0.5).v", "dend(0.9).v", "soma(0.5).gt_gstep",
                               "dend(0.9).gt_gstep"]}
    result = assert_matches_neuron(_write(tmp_path), protocol, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    gt = np.asarray(result.neuron.values)[:, result.neuron.labels.index("dend(0.9).gt_gstep")]
    assert gt.max() > 0.3 and (gt == 0).any()  # the conductance was switched on from the file
    v = np.asarray(result.neuron.values)[:, result.neuron.labels.index("soma(0.5).v")]
    assert v.max() > -40


def test_points_are_c_floats_sorted_and_counted_as_neuron_reads_them():
    xs, ys = read_points((HEADER + "0.2 0.1\n0 1e-3\n0.1 0.3333333333\n").encode())
    assert xs == (0.0, float(np.float32(0.1)), float(np.float32(0.2)))
    assert ys == (float(np.float32(1e-3)), float(np.float32(0.3333333333)), float(np.float32(0.1)))
    # a line of 100 bytes is two fgets reads: in the header it counts as two of the six lines,
    # among the data as two points (NEURON would then read past its arrays: refused)
    long_header = "x" * 100 + "\n" + "".join(HEADER.splitlines(keepends=True)[2:])
    assert read_points((long_header + "0 1\n1 2\n2 3\n").encode())[0] == (0.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="expect 8"):
        read_points((HEADER + "0 1\n1" + " " * 100 + "2\n2 3\n").encode())
    with pytest.raises(ValueError, match="not a decimal"):
        read_points((HEADER + "0 1\n1 nan\n2 3\n").encode())
    with pytest.raises(ValueError, match="same x"):
        read_points((HEADER + "0 1\n1 2\n1 3\n").encode())
    # a decimal that lies between two C floats, just above their midpoint: one rounding, not two
    assert read_points((HEADER + "0 1\n1 16777217.000000001\n2 3\n").encode())[1][1] == 16777218.0


def test_stepforce_value_and_range():
    xs, ys = (0.0, 1.0, 2.0, 4.0), (5.0, 6.0, 7.0, 8.0)
    t = np.array([-0.1, -0.11, 0.0, 0.999, 1.0, 3.9, 4.0, 4.2, 4.21, np.nan])
    got = np.asarray(stepforce(t, xs, ys))
    np.testing.assert_array_equal(got[:8], [5, np.nan, 5, 5, 6, 7, 8, 8])
    assert np.isnan(got[8]) and np.isnan(got[9]) and np.isnan(got[1])


def test_stepforce_refusals(tmp_path):
    mod = tmp_path / "a.mod"
    mod.write_text('NEURON { SUFFIX a }\nASSIGNED { g }\nBREAKPOINT { g = stepforce(t, "none.dat") }\n')
    with pytest.raises(BridgeError, match="no such file"):
        load_mod(mod)
    (tmp_path / "bad.dat").write_text(HEADER + "0 1\n1 2\n2\n")
    mod.write_text('NEURON { SUFFIX a }\nASSIGNED { g }\nBREAKPOINT { g = stepforce(t, "bad.dat") }\n')
    with pytest.raises(BridgeError, match="values after the header"):
        load_mod(mod)
    (tmp_path / "ok.dat").write_text(HEADER + "0 1\n1 2\n2 3\n")
    mod.write_text('NEURON { SUFFIX a }\nSTATE { x }\nBREAKPOINT { SOLVE d METHOD cnexp }\n'
                   'DERIVATIVE d { x\' = stepforce(t, "ok.dat") - x }\n')
    with pytest.raises(BridgeError, match="DERIVATIVE"):
        load_mod(mod)
    outside = tmp_path / "sub"
    outside.mkdir()
    (outside / "b.mod").write_text('NEURON { SUFFIX b }\nASSIGNED { g }\n'
                                   'BREAKPOINT { g = stepforce(t, "../ok.dat") }\n')
    with pytest.raises(BridgeError, match="outside the folders"):
        load_mod(outside / "b.mod")
