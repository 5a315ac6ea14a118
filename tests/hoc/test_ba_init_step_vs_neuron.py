"""BEFORE INITIAL, AFTER INITIAL and BEFORE STEP blocks against NEURON 9.0.2 (analysis.ba_blocks): where NEURON
runs them (fadvance.cpp nrn_finitialize: BEFORE INITIAL after v = v_init, before every INITIAL; AFTER INITIAL
after all INITIALs, the NetCons' too, before the t = 0 events and the currents; netcvode.cpp
fixed_record_continuous: BEFORE STEP after finitialize's currents and after each step's AFTER SOLVE, before the
Vector records), the way models use them: BEFORE INITIAL resets a run counter INITIAL does not touch, AFTER
INITIAL sets a STATE from what INITIAL computed, BEFORE STEP updates the conductance BREAKPOINT uses from t. The
mechanisms are ours. Run twice (a second run() at another v_init: the counter is reset, what BEFORE INITIAL
records is the new run's), with and without a NetCon network (the events path), in a HOC session and as a
`Simulation`."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import bridge
from bridge.errors import UnsupportedFeature
from tests.hoc.test_live_run import _both, _same_output
from tests.hoc.test_pointer_writes_vs_neuron import _mods, _worst

ATOL = 1e-9

BABK = """
NEURON {
    SUFFIX babk
    NONSPECIFIC_CURRENT i
    RANGE gmax, gs, e, nstep, nrun, tstep, vstep, vinit, tinit, vafter
}
PARAMETER { gmax = 0.001 (S/cm2)  e = -80 (mV)  tau = 2 (ms) }
ASSIGNED { v (mV)  i (mA/cm2)  gs (S/cm2)  nstep  nrun  tstep (ms)  vstep (mV)  vinit (mV)  tinit (ms)  vafter (mV) }
STATE { m  s }
BEFORE INITIAL {
    nstep = 0
    vinit = v
    tinit = t
}
INITIAL {
    m = 0.2 + 0.001*v
    nrun = nrun + 1
}
AFTER INITIAL {
    s = 1 - m
    vafter = v
    gs = gmax
}
BEFORE STEP {
    nstep = nstep + 1
    tstep = t
    vstep = v
    gs = gmax*(1 + 0.5*sin(0.7*t))
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gs*m*s*(v - e)
}
DERIVATIVE states {
    m' = (0.5 - m)/tau
    s' = (0.3 - s)/tau
}
"""

RUNS = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 insert hh insert babk }
dend { L = 200 diam = 2 nseg = 5 insert pas insert babk }
objref stim, vs, vd, nv, tsv, vsv, gv, sv, tv, ns, syn, nc
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 0.5
stim.amp = 3
NETWORK
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.7))
nv = new Vector()
nv.record(&soma.nstep_babk(0.5))
tsv = new Vector()
tsv.record(&dend.tstep_babk(0.3))
vsv = new Vector()
vsv.record(&dend.vstep_babk(0.9))
gv = new Vector()
gv.record(&soma.gs_babk(0.5))
sv = new Vector()
sv.record(&dend.s_babk(0.5))
tv = new Vector()
tv.record(&t)
dt = 0.025
tstop = 4
proc show() {
    printf("%.15g %.15g %.15g %.15g %.15g\\n", soma.nrun_babk(0.5), soma.vinit_babk(0.5), dend.tinit_babk(0.5), \\
           dend.vafter_babk(0.9), dend.nstep_babk(0.1))
}
v_init = -65
run()
show()
v_init = -58
run()
show()
"""
NETWORK = """ns = new NetStim()
ns.start = 0
ns.interval = 1.5
ns.number = 3
soma syn = new ExpSyn(0.5)
nc = new NetCon(ns, syn)
nc.weight = 0.02"""
NAMES = ("vs", "vd", "nv", "tsv", "vsv", "gv", "sv", "tv")


@pytest.mark.neuron
@pytest.mark.parametrize("network", ["", NETWORK])
def test_before_after_initial_and_before_step_match_neuron(tmp_path, network):
    mods = _mods(tmp_path, {"babk.mod": BABK})
    theirs, ref, printed, ours, _ = _both(tmp_path, RUNS.replace("NETWORK", network), NAMES, mod_dir=mods)
    assert ref["vs"].max() > 0  # the cell fires: the blocks run through a spike
    assert ref["nv"][0] == 1 and ref["nv"][-1] == len(ref["tv"])  # BEFORE STEP at t = 0 and after every step
    shown = [ln.split() for ln in theirs if not ln.startswith("\t")]  # show()'s lines (not HOC's echoes)
    assert [row[:2] for row in shown] == [["1", "-65"], ["2", "-58"]]  # the run counter; v BEFORE INITIAL saw
    _same_output(theirs, printed, ATOL)  # the run counter, v and t BEFORE/AFTER INITIAL saw
    assert _worst(ref, ours, NAMES) <= ATOL


SIM = """
create soma
soma { L = 20 diam = 20 insert hh insert babk }
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 0.5
stim.amp = 3
tstop = 4
dt = 0.025
v_init = -62
"""
LABELS = ("soma(0.5).v", "soma(0.5).nstep_babk", "soma(0.5).gs_babk", "soma(0.5).s_babk",
          "soma(0.5).vinit_babk", "soma(0.5).vafter_babk")


@pytest.mark.neuron
@pytest.mark.parametrize("network", ["", NETWORK + "\n"])
def test_simulation_runs_the_blocks_as_neuron(tmp_path, network):
    """A `Simulation` (bridge.solver.integrate's scan, with and without events) against NEURON's run of the same
    model."""
    mods = _mods(tmp_path, {"babk.mod": BABK})
    sim_text = SIM + ("objref ns, syn, nc\n" + network if network else "")
    vectors = tuple(f"r{k}" for k in range(len(LABELS)))
    hoc = 'load_file("stdrun.hoc")\n' + sim_text + "objref " + ", ".join(vectors) + "\n" + "".join(
        f"{name} = new Vector()\n{name}.record(&soma.{label.rsplit('.', 1)[1]}(0.5))\n"
        for name, label in zip(vectors, LABELS)) + "run()\n"
    _, ref, _, _, _ = _both(tmp_path, hoc, vectors, mod_dir=mods)
    path = tmp_path / "sim.hoc"
    path.write_text(textwrap.dedent(sim_text))
    model = bridge.load_hoc(path, mechanisms=mods).to_model()
    traces = bridge.Simulation(model, record=list(LABELS)).run()
    worst = max(float(np.abs(np.asarray(traces[label]) - ref[name]).max()) for name, label in zip(vectors, LABELS))
    print(f"max |d| {worst:.3g}")
    assert ref["r1"][-1] == len(ref["r1"])
    assert worst <= ATOL


@pytest.mark.parametrize("text, words", [
    ("NEURON { SUFFIX q RANGE a }\nASSIGNED { a }\nSTATE { s }\nBEFORE INITIAL { a = s }\n", "the STATE 's'"),
    ("NEURON { SUFFIX q RANGE a POINTER p }\nASSIGNED { a p }\nBEFORE INITIAL { a = p }\n", "the POINTER 'p'"),
    ("NEURON { SUFFIX q USEION ca READ cai RANGE a }\nASSIGNED { a cai (mM) }\nAFTER INITIAL { a = cai }\n",
     "the ion variable 'cai'"),
    ("NEURON { SUFFIX q RANGE a }\nASSIGNED { a }\nBEFORE STEP { net_send(1, 1) }\n", "net_send"),
    ("NEURON { SUFFIX q RANGE a }\nASSIGNED { a }\nBEFORE SOLVE { a = 1 }\n", "BEFORE SOLVE block"),
    ("NEURON { SUFFIX q RANGE a }\nASSIGNED { a }\nAFTER STEP { a = 1 }\n", "AFTER STEP block"),
])
def test_what_the_new_blocks_may_not_do_is_refused(tmp_path, text, words):
    mod = tmp_path / "q.mod"
    mod.write_text(text)
    with pytest.raises(UnsupportedFeature, match=words):
        bridge.load_mod(mod)


@pytest.mark.neuron
def test_neuron_stops_loading_an_after_breakpoint_block(tmp_path):
    """The premise of the refusal: NEURON 9.0.2 exits when it registers AFTER BREAKPOINT (init.cpp hoc_reg_ba)."""
    import subprocess
    import sys

    from validation.neuron_run import compile_mod_files

    mods = _mods(tmp_path, {"abk.mod": "NEURON { SUFFIX abk RANGE a }\nASSIGNED { a }\nAFTER BREAKPOINT { a = 1 }\n"})
    library = compile_mod_files(sorted(mods.glob("*.mod")))
    code = (f"from neuron import h\nh.nrn_load_dll({str(library)!r})\n"
            "s = h.Section()\ns.insert('abk')\nprint('LOADED')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "LOADED" not in proc.stdout
    assert "before-after processing type 21 for abk not implemented" in proc.stdout + proc.stderr
    with pytest.raises(UnsupportedFeature, match="AFTER BREAKPOINT block"):
        bridge.load_mod(mods / "abk.mod")


# a writer whose AFTER INITIAL and BEFORE STEP set another mechanism's ASSIGNED through a POINTER, which that
# mechanism's BREAKPOINT reads: finitialize's currents see AFTER INITIAL's value, each step's BEFORE STEP's
STEPDRV = """
NEURON { SUFFIX stepdrv  RANGE k  POINTER tgt }
PARAMETER { k = 0.03 }
ASSIGNED { tgt  v (mV) }
AFTER INITIAL { tgt = -k }
BEFORE STEP { tgt = k*sin(0.7*t) + 0*v }
"""
WRITES = """
load_file("stdrun.hoc")
create cable
cable { L = 200 diam = 2 nseg = 4 insert hh insert leakx insert stepdrv }
for (x, 0) cable setpointer tgt_stepdrv(x), drive_leakx(x)
objref vs, vd, iv, dv, tv
vs = new Vector()
vs.record(&cable.v(0.1))
vd = new Vector()
vd.record(&cable.v(0.9))
iv = new Vector()
iv.record(&cable.i_leakx(0.4))
dv = new Vector()
dv.record(&cable.drive_leakx(0.6))
tv = new Vector()
tv.record(&t)
tstop = 12
run()
"""


@pytest.mark.neuron
def test_pointer_writes_in_after_initial_and_before_step(tmp_path):
    from tests.hoc.test_pointer_writes_vs_neuron import LEAKX

    mods = _mods(tmp_path, {"stepdrv.mod": STEPDRV, "leakx.mod": LEAKX})
    names = ("vs", "vd", "iv", "dv", "tv")
    _, ref, _, ours, _ = _both(tmp_path, WRITES, names, mod_dir=mods)
    assert ref["vs"].max() > 0 and ref["dv"][0] == 0.0  # the drive fires the cable; BEFORE STEP's sin(0) at t = 0
    assert _worst(ref, ours, names) <= ATOL


def test_frecord_init_with_a_before_step_block_is_refused(tmp_path):
    """frecord_init() runs BEFORE STEP in NEURON (netcvode.cpp fixed_record_continuous); bridge refuses it."""
    from bridge.errors import HocRefusal
    from bridge.hoc.session import HocSession

    mods = _mods(tmp_path, {"babk.mod": BABK})
    path = tmp_path / "m.hoc"
    path.write_text(textwrap.dedent("""
        load_file("stdrun.hoc")
        create soma
        soma { insert babk }
        objref vs
        vs = new Vector()
        vs.record(&soma.v(0.5))
        finitialize(-65)
        fadvance()
        frecord_init()
    """))
    with pytest.raises(HocRefusal, match="frecord_init.. with a BEFORE STEP block"):
        HocSession(mods, cwd=tmp_path, stdout=None).load_file(path)
