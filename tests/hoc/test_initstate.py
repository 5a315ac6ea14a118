"""A model's own `proc init()` (reversal potentials, finitialize, fcurrent, e_pas from the currents)
against real NEURON: the values HOC reads after finitialize()/fcurrent() and the whole run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from bridge.errors import HocError, UnsupportedFeature
from bridge.hoc.session import HocSession, load_hoc
from bridge.hoc.stdrun import check_run_start

# Our own h-current-like mechanism: a NONSPECIFIC_CURRENT whose value HOC reads after fcurrent().
IHX = """
NEURON {
    SUFFIX ihx
    NONSPECIFIC_CURRENT i
    RANGE gbar, eh
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { gbar = 0.0005 (S/cm2) eh = -30 (mV) }
ASSIGNED { v (mV) i (mA/cm2) linf tau (ms) }
STATE { l }
INITIAL { rates(v) l = linf }
BREAKPOINT { SOLVE states METHOD cnexp i = gbar*l*(v - eh) }
DERIVATIVE states { rates(v) l' = (linf - l)/tau }
PROCEDURE rates(v (mV)) {
    linf = 1/(1 + exp((v + 78)/7))
    tau = 40 + 100*exp(-((v + 70)/20)^2)
}
"""

# The pattern of many ModelDB cells: ena/ek set per section, then e_pas chosen so that every segment
# rests at Vrest with the currents of the initialised channels.
CELL = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert hh insert pas insert ihx }
dend { L = 300 diam = 2 nseg = 7 insert hh insert pas insert ihx gnabar_hh = 0.03 }
forall { g_pas = 1/20000 Ra = 120 }
for (x, 0) dend { gbar_ihx(x) = 0.0005*(1 + 4*x) }
Vrest = -68
celsius = 30
tstop = 15
objref stim
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 1
stim.amp = 1.2
proc init() {
    forall { v = Vrest  ena = 55  ek = -90 }
    finitialize(Vrest)
    fcurrent()
    forall for (x, 0) {
        e_pas(x) = v(x) + (ina(x) + ik(x) + il_hh(x) + i_ihx(x))/g_pas(x)
    }
}
"""


def _model(tmp_path):
    (tmp_path / "ihx.mod").write_text(IHX)
    (tmp_path / "init.hoc").write_text(CELL)
    return tmp_path


@pytest.mark.neuron
def test_values_read_after_fcurrent_match_neuron(tmp_path):
    """ina, ik, il_hh, i_ihx and e_pas per segment after the model's init(), bridge vs NEURON."""
    from validation.neuron_run import compile_mod_files

    folder = _model(tmp_path)
    lib = compile_mod_files([folder / "ihx.mod"])
    names = ["v", "ina", "ik", "il_hh", "i_ihx", "e_pas", "m_hh", "l_ihx", "ena"]
    script = textwrap.dedent(f"""
        import json, os
        from neuron import h
        h.nrn_load_dll({str(lib)!r})
        h.load_file("stdrun.hoc")
        os.chdir({str(folder)!r})
        h.load_file("init.hoc")
        h.stdinit()
        print(json.dumps({{sec.name(): [[getattr(seg, n) for n in {names!r}] for seg in sec]
                          for sec in h.allsec()}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    ref = json.loads(out.stdout.strip().splitlines()[-1])
    hoc = HocSession(folder, cwd=folder)
    hoc.load_file("init.hoc")
    hoc("stdinit()")
    for sec, rows in ref.items():
        nseg = len(rows)
        for j, row in enumerate(rows):
            x = (j + 0.5) / nseg
            for name, want in zip(names, row):
                hoc(f"{sec} got_ = {name}({x!r})")
                got = hoc.got_
                assert got == pytest.approx(want, rel=1e-12, abs=1e-15), (sec, x, name, got, want)


@pytest.mark.neuron
def test_own_init_with_fcurrent_matches_neuron(tmp_path):
    """The whole run: bridge applies the model's init() (ena, ek, e_pas from fcurrent) as NEURON does."""
    from bridge.testing import assert_matches_neuron

    folder = _model(tmp_path)
    assert_matches_neuron(folder / "init.hoc", {"tstop": 15}, atol=1e-9)


def test_state_assigned_after_finitialize_is_applied_live_and_refused_by_a_one_piece_run(tmp_path):
    """A STATE set after finitialize() goes into the live run (tests/hoc/test_live_run.py compares it with
    NEURON); a run simulated again from finitialize() (`bridge validate`) would lose it: check_run_start."""
    hoc = HocSession(cwd=tmp_path)
    hoc("create soma\nsoma insert hh\nfinitialize(-65)\nsoma.v(0.5) = -60\nsoma.m_hh(0.5) = 0.2\n"
        "x = soma.v(0.5)\ny = soma.m_hh(0.5)")
    assert (hoc.x, hoc.y) == (-60.0, 0.2)
    with pytest.raises(UnsupportedFeature, match=r"soma\.v"):
        check_run_start(hoc._state)


def test_parameter_set_after_finitialize_is_kept(tmp_path):
    """A PARAMETER (e_pas) changed after finitialize() is what the run uses, as in NEURON."""
    (tmp_path / "p.hoc").write_text(textwrap.dedent("""
        create soma
        soma insert pas
        proc init() {
            finitialize(v_init)
            soma.e_pas = -50
        }
        run()
    """))
    model = load_hoc(tmp_path / "p.hoc")
    assert model.tree["soma"].mechanisms["pas"]["e"][0] == -50


def test_fcurrent_before_finitialize_is_an_error(tmp_path):
    hoc = HocSession(cwd=tmp_path)
    hoc("create soma")
    with pytest.raises(HocError, match="fcurrent"):
        hoc("fcurrent()")



@pytest.mark.neuron
def test_point_process_values_computed_by_the_mechanism_after_finitialize_are_neurons(tmp_path):
    """IClamp.i is 0 before finitialize() in NEURON (bridge agrees) and amp after it when del = 0:
    bridge reads it from its live run."""
    hoc = HocSession(cwd=tmp_path)
    hoc("create soma\nsoma insert hh\nobjref st\nsoma st = new IClamp(0.5)\nst.amp = 1\nst.dur = 5\nst.del = 0\n"
        "x = st.i\ny = st.amp")
    code = ("from neuron import h\ns = h.Section(name='soma'); s.insert('hh')\nst = h.IClamp(s(0.5))\n"
            "st.amp = 1; st.dur = 5; st.delay = 0\nprint('JSON:' + str([st.i, st.amp]))\nh.finitialize(-65)\n"
            "print('JSON:' + str([st.i, st.amp]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    before, after = [json.loads(ln[5:]) for ln in out.splitlines() if ln.startswith("JSON:")]
    assert [hoc.x, hoc.y] == before == [0.0, 1.0]
    assert after == [1.0, 1.0]  # NEURON's i after finitialize: the clamp is on at t = 0
    hoc("finitialize(-65)\ny = st.amp\nx = st.i")
    assert [hoc.x, hoc.y] == after
