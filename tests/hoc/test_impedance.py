"""NEURON's Impedance (bridge.hoc.impedance, bridge.solver.impedance) against NEURON 9.0.2: the same HOC
prints input and transfer impedances, their ratio and phases at several frequencies and locations in both,
at finitialize, after a run, after HOC changed parameters and after continuerun()."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridge import HocSession
from bridge.errors import HocError, HocRefusal

DATA = Path(__file__).resolve().parent / "data"


def _rows(lines) -> list[list[str]]:
    return [ln.split() for ln in lines if ln[:3] in ("in ", "d1 ", "ax ")]


@pytest.mark.neuron
def test_impedance_matches_neuron(tmp_path):
    code = f"from neuron import h\nh.load_file('stdrun.hoc')\nh.load_file({str(DATA / 'impedance.hoc')!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    theirs = _rows(proc.stdout.splitlines())
    out = io.StringIO()
    HocSession(cwd=tmp_path, stdout=out).load_file(DATA / "impedance.hoc")
    ours = _rows(out.getvalue().splitlines())
    assert len(theirs) == 168, proc.stderr[-2000:]
    assert [r[0] for r in ours] == [r[0] for r in theirs]
    a = np.array([float(x) for r in theirs for x in r[1:]])
    b = np.array([float(x) for r in ours for x in r[1:]])
    assert np.count_nonzero(a) > 500  # amplitudes and nonzero phases, not an empty comparison
    # relative 1e-9: bridge's di/dv comes from XLA's exp (not glibc's bit for bit outside validation's XLA_FLAGS)
    # and the complex arithmetic is CPython's, not libgcc's __divdc3 (measured: 6e-12 relative at worst)
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


CELL = "create soma\nsoma { insert hh L = 10 diam = 10 }\nobjref zz\nzz = new Impedance()\n"


def test_extended_impedance_is_refused():
    hoc = HocSession()
    hoc(CELL + "soma zz.loc(0.5)\nfinitialize(-65)")
    with pytest.raises(HocRefusal, match=r"Impedance.compute\(freq, 1\).*extended"):
        hoc("zz.compute(10, 1)")


def test_impedance_needs_a_location_and_a_compute():
    hoc = HocSession()
    hoc(CELL + "finitialize(-65)")
    with pytest.raises(HocError, match="Impedance stimulus location is not specified"):
        hoc("zz.compute(0)")
    with pytest.raises(HocError, match=r"Impedance.input\(\) before compute\(\)"):
        hoc("soma x = zz.input(0.5)")
    hoc("soma zz.loc(0.5)\nzz.compute(0)\nsoma x = zz.input(0.5)")
    # one compartment, DC: 1/(g area) with g the hh slope conductance at rest [MOhm]
    assert 100 < hoc.x < 1000
    hoc("zz.loc(-1)")
    with pytest.raises(HocError, match="Impedance stimulus location is not specified"):
        hoc("zz.compute(0)")


PASSIVE = """create soma, dend
soma { L = 20 diam = 20 insert pas g_pas = 2e-4 }
dend { L = 500 diam = 1.5 nseg = 9 insert pas g_pas = 5e-5 }
connect dend(0), soma(1)
objref zz
zz = new Impedance()
soma zz.loc(0.5)
proc show() { local x
  zz.compute($1)
  for x = 0, 4 dend {
    printf("d1 %.17g %.17g %.17g %.17g\\n", zz.input(x/4), zz.input_phase(x/4), zz.transfer(x/4), zz.ratio(x/4))
  }
}
show(0)
show(50)
dend v(0.5) = -20
show(5)
finitialize(-65)
show(5)
"""


@pytest.mark.neuron
def test_passive_impedance_before_finitialize_matches_neuron(tmp_path):
    """NEURON linearises whatever state it has: a passive model needs no finitialize() (ModelDB 2016666)."""
    hoc = tmp_path / "passive.hoc"
    hoc.write_text(PASSIVE)
    code = f"from neuron import h\nh.load_file({str(hoc)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    theirs = _rows(proc.stdout.splitlines())
    out = io.StringIO()
    HocSession(cwd=tmp_path, stdout=out).load_file(hoc)
    ours = _rows(out.getvalue().splitlines())
    assert len(theirs) == 20, proc.stderr[-2000:]
    a = np.array([float(x) for r in theirs for x in r[1:]])
    b = np.array([float(x) for r in ours for x in r[1:]])
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


GATED = """
NEURON {
  SUFFIX gleak
  NONSPECIFIC_CURRENT i
  RANGE gbar, e, scale, minf
}
PARAMETER { gbar = 0.002 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) scale (1) minf (1) }
STATE { m }
INITIAL { rates(v) m = minf }
BREAKPOINT {
  SOLVE states METHOD cnexp
  i = gbar*(m + scale + minf + 0.1)*(v - e)
}
DERIVATIVE states { rates(v) m' = (minf - m)/5 }
PROCEDURE rates(v (mV)) { minf = 1/(1 + exp(-(v + 40)/5)) }
"""

STATEFUL = """create soma, dend
soma { L = 20 diam = 20 insert pas g_pas = 2e-4 insert gleak }
dend { L = 400 diam = 1.5 nseg = 7 insert pas g_pas = 5e-5 insert gleak gbar_gleak = 1e-3 }
connect dend(0), soma(1)
objref syn, ns, nc, zz
dend syn = new Exp2Syn(0.7)
syn.tau1 = 0.2
syn.tau2 = 3
ns = new NetStim()
nc = new NetCon(ns, syn)
nc.weight = 3e-4
dend for (x, 0) scale_gleak(x) = x
zz = new Impedance()
soma zz.loc(0.5)
proc show() { local x
  zz.compute($1)
  for x = 0, 4 dend {
    printf("d1 %.17g %.17g %.17g %.17g\\n", zz.input(x/4), zz.input_phase(x/4), zz.transfer(x/4), zz.ratio(x/4))
  }
}
show(0)
show(20)
dend v(0.3) = -30
show(7)
"""


@pytest.mark.neuron
def test_impedance_before_finitialize_with_states_matches_neuron(tmp_path):
    """Before finitialize() NEURON linearises STATEs and ASSIGNEDs as allocated (0: gleak's m and minf,
    Exp2Syn's A and B) and the RANGE ASSIGNED HOC set (scale_gleak), at HOC's v (ModelDB 2016666)."""
    from validation.neuron_run import compile_mod_files

    mods = tmp_path / "mod"
    mods.mkdir()
    (mods / "gleak.mod").write_text(GATED)
    hoc = tmp_path / "stateful.hoc"
    hoc.write_text(STATEFUL)
    library = str(compile_mod_files([mods / "gleak.mod"]))
    code = f"from neuron import h\nh.nrn_load_dll({library!r})\nh.load_file({str(hoc)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    theirs = _rows(proc.stdout.splitlines())
    out = io.StringIO()
    HocSession(mods, cwd=tmp_path, stdout=out).load_file(hoc)
    ours = _rows(out.getvalue().splitlines())
    assert len(theirs) == 15, proc.stderr[-2000:]
    a = np.array([float(x) for r in theirs for x in r[1:]])
    b = np.array([float(x) for r in ours for x in r[1:]])
    assert np.count_nonzero(a[4:]) > 30  # phases at f > 0 too
    # relative 1e-9, as test_impedance_matches_neuron (XLA's exp; CPython's complex division)
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


def test_impedance_before_finitialize_with_ions_is_refused():
    hoc = HocSession()
    hoc(CELL + "soma zz.loc(0.5)")
    with pytest.raises(HocError, match="before finitialize.*ion concentrations"):
        hoc("zz.compute(0)")


def test_impedance_before_finitialize_after_hoc_set_a_state_is_refused():
    """NEURON linearises with the STATE HOC set; bridge keeps it for HOC to read back only: refused."""
    hoc = HocSession()
    hoc("create soma\nsoma { insert pas L = 10 diam = 10 }\nobjref syn, zz\nsoma syn = new Exp2Syn(0.5)\n"
        "zz = new Impedance()\nsoma zz.loc(0.5)\nzz.compute(0)\nsyn.B = 0.01")
    with pytest.raises(HocError, match=r"before finitialize\(\) after HOC set Exp2Syn\[0\]\.B"):
        hoc("zz.compute(0)")


def test_impedance_in_a_run_that_plays_is_refused():
    """The played value is what NEURON linearises with; bridge keeps it in its step only: refused, not wrong."""
    hoc = HocSession()
    hoc(CELL + "objref tv, gv\ntv = new Vector(2)\ngv = new Vector(2)\ntv.x[1] = 10\ngv.x[0] = 0.1\n"
        "gv.x[1] = 0.2\ngv.play(&soma.gnabar_hh(0.5), tv, 1)\nsoma zz.loc(0.5)\nfinitialize(-65)\ncontinuerun(1)")
    with pytest.raises(HocRefusal, match="plays Vectors"):
        hoc("zz.compute(0)")
