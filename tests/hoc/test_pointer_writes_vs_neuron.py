"""BEFORE BREAKPOINT and AFTER SOLVE blocks, and writes through a POINTER (bridge.solver.pointer_writes), against
NEURON 9.0.2: the xtra pattern of extracellular stimulation (a mechanism's BEFORE BREAKPOINT writes the
segment's e_extracellular through `setpointer ex_xtra(x), e_extracellular(x)`, its AFTER SOLVE reads
i_membrane through another POINTER) and a write to another mechanism's ASSIGNED. The mechanisms are ours.

NEURON solves the extracellular system with sparse13, bridge with a block tree elimination
(tests/hoc/test_extracellular_vs_neuron.py): v agrees to ~1e-11 mV. `rec` (i_membrane [mA/cm2] times area
[um2] times gain, ~500 units of range) carries i_membrane's round-off times ~1e3; it is held to 1e-8."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

import bridge
from bridge.errors import UnsupportedFeature
from tests.hoc.test_live_run import _both, _same_output

ATOL = 1e-9

FIELDX = """
NEURON {
    SUFFIX fieldx
    RANGE gain, amp, rec, acc
    GLOBAL phase
    POINTER ex, im
}
PARAMETER { gain = 2 (mV/mA)  phase = 0 }
ASSIGNED { ex (mV)  im (mA/cm2)  amp (1)  rec (1)  acc (1)  area (um2)  v (mV) }
INITIAL {
    ex = gain*amp
    acc = 0
}
BEFORE BREAKPOINT {
    ex = gain*amp*cos(phase + 0.3*t)
}
AFTER SOLVE {
    rec = im*area*gain
    acc = acc + v*dt
}
"""

XTRA = """
load_file("stdrun.hoc")
create axon, soma
connect axon(0), soma(1)
soma { L = 20 diam = 20 insert hh }
axon { L = 400 diam = 1.5 nseg = 9 insert hh insert extracellular insert fieldx }
objref vs, vd, ve, tv, rr, ac, wave
for (x, 0) axon {
  setpointer ex_fieldx(x), e_extracellular(x)
  setpointer im_fieldx(x), i_membrane(x)
  gain_fieldx(x) = 40*(x - 0.5)
}
wave = new Vector()
for i = 0, 40 wave.append(1 + 0.5*sin(i))
axon for (x, 0) wave.play(&amp_fieldx(x), 0.1)
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&axon.v(0.9))
ve = new Vector()
ve.record(&axon.vext(0.3))
rr = new Vector()
rr.record(&axon.rec_fieldx(0.7))
ac = new Vector()
ac.record(&axon.acc_fieldx(0.7))
tv = new Vector()
tv.record(&t)
dt = 0.025
tstop = 5
run()
printf("%.12f %.12f\\n", axon.e_extracellular(0.3), axon.rec_fieldx(0.7))
axon.e_extracellular(0.3) = 3
printf("%.12f\\n", axon.e_extracellular(0.3))
continuerun(6)
printf("%.12f %.12f\\n", axon.e_extracellular(0.3), axon.v(0.3))
"""

# a writer whose BEFORE BREAKPOINT sets another mechanism's ASSIGNED, which that mechanism's BREAKPOINT reads
DRV = """
NEURON { SUFFIX drv  RANGE k  POINTER tgt }
PARAMETER { k = 0.03 }
ASSIGNED { tgt  v (mV) }
BEFORE BREAKPOINT { tgt = k*sin(0.7*t) }
"""
LEAKX = """
NEURON { SUFFIX leakx  RANGE gx, drive  NONSPECIFIC_CURRENT i }
PARAMETER { gx = 0.001 (S/cm2) }
ASSIGNED { v (mV)  drive (mA/cm2)  i (mA/cm2) }
BREAKPOINT { i = gx*(v + 70) - drive }
"""
STATE_TARGET = """
load_file("stdrun.hoc")
create cable
cable { L = 200 diam = 2 nseg = 4 insert hh insert leakx insert drv }
for (x, 0) cable setpointer tgt_drv(x), drive_leakx(x)
objref vs, vd, tv
vs = new Vector()
vs.record(&cable.v(0.1))
vd = new Vector()
vd.record(&cable.v(0.9))
tv = new Vector()
tv.record(&t)
tstop = 12
run()
"""


def _mods(tmp_path: Path, files: dict[str, str]) -> Path:
    mod = tmp_path / "mod"
    mod.mkdir()
    for name, text in files.items():
        (mod / name).write_text(text)
    return mod


def _worst(ref: dict, ours: dict, names) -> float:
    for name in names:
        assert ours[name].shape == ref[name].shape, name
    worst = max(float(np.abs(ours[n] - ref[n]).max()) for n in names)
    print(f"max |d| {worst:.3g} over {', '.join(names)}")  # shown with pytest -s
    return worst


@pytest.mark.neuron
def test_xtra_pattern_writes_e_extracellular_and_reads_i_membrane(tmp_path):
    names = ("vs", "vd", "ve", "rr", "ac", "tv")
    theirs, ref, printed, ours, _ = _both(tmp_path, XTRA, names, mod_dir=_mods(tmp_path, {"fieldx.mod": FIELDX}))
    _same_output(theirs, printed, 1e-8)  # HOC reads e_extracellular as the POINTER wrote it, and assigns it
    assert np.ptp(ref["ve"]) > 5 and np.ptp(ref["vs"]) > 50  # the field moves vext and fires the cell
    assert _worst(ref, ours, ("vs", "vd", "ve", "ac", "tv")) <= ATOL
    assert _worst(ref, ours, ("rr",)) <= 1e-8  # i_membrane's round-off times area*gain (module docstring)


@pytest.mark.neuron
def test_pointer_write_to_another_mechanisms_assigned(tmp_path):
    mods = _mods(tmp_path, {"drv.mod": DRV, "leakx.mod": LEAKX})
    _, ref, _, ours, _ = _both(tmp_path, STATE_TARGET, ("vs", "vd", "tv"), mod_dir=mods)
    assert ref["vs"].max() > 0  # the written drive fires the cable
    assert _worst(ref, ours, ("vs", "vd", "tv")) <= ATOL


@pytest.mark.parametrize("text, words", [
    ("NEURON { SUFFIX q RANGE a }\nASSIGNED { a }\nBEFORE SOLVE { a = 1 }\n", "BEFORE SOLVE block"),
    ("NEURON { SUFFIX q RANGE a }\nASSIGNED { a }\nAFTER BREAKPOINT { a = 1 }\n", "AFTER BREAKPOINT block"),
    ("NEURON { SUFFIX q USEION na READ ena RANGE a }\nASSIGNED { a ena (mV) }\nBEFORE BREAKPOINT { a = ena }\n",
     "the ion variable 'ena'"),
    ("NEURON { SUFFIX q RANGE a }\nASSIGNED { a v (mV) }\nAFTER SOLVE { v = a }\n", "assigning v"),
    ("NEURON { SUFFIX q RANGE a POINTER p }\nASSIGNED { a p }\nPROCEDURE f() { p = 1 }\n"
     "AFTER SOLVE { f() }\n", "assigning through POINTER 'p' outside INITIAL"),
    ("NEURON { ARTIFICIAL_CELL Q RANGE a }\nASSIGNED { a }\nAFTER SOLVE { a = 1 }\n"
     "NET_RECEIVE (w) { a = w }\n", "AFTER SOLVE block in an ARTIFICIAL_CELL"),
    ("NEURON { ARTIFICIAL_CELL Q POINTER p }\nASSIGNED { p }\nINITIAL { p = 1 }\nNET_RECEIVE (w) { }\n",
     "assigning through a POINTER in an ARTIFICIAL_CELL"),
])
def test_what_ba_blocks_may_not_do_is_refused(tmp_path, text, words):
    mod = tmp_path / "q.mod"
    mod.write_text(text)
    with pytest.raises(UnsupportedFeature, match=words):
        bridge.load_mod(mod)


def test_a_pointer_write_to_v_is_refused(tmp_path):
    mods = _mods(tmp_path, {"drv.mod": DRV})
    hoc = tmp_path / "m.hoc"
    hoc.write_text(textwrap.dedent("""
        create a
        a { insert drv }
        for (x, 0) a setpointer tgt_drv(x), a.v(x)
    """))
    model = bridge.load_hoc(hoc, mechanisms=mods).to_model()
    with pytest.raises(UnsupportedFeature, match="drv assigns through POINTER tgt, which points at v"):
        bridge.Simulation(model, record=["a(0.5).v"])


# how often the blocks run: once per current evaluation (finitialize's last one too; with events, after the t = 0
# deliveries only) and once per step
COUNTER = """
NEURON { SUFFIX tally  RANGE nb, na }
ASSIGNED { nb  na  v (mV) }
INITIAL { nb = 0  na = 0 }
BEFORE BREAKPOINT { nb = nb + 1 }
AFTER SOLVE { na = na + 1 + 0*v }
"""
COUNTED = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh insert tally }
objref nbv, nav, tv, ns, syn, nc
NETWORK
nbv = new Vector()
nbv.record(&soma.nb_tally(0.5))
nav = new Vector()
nav.record(&soma.na_tally(0.5))
tv = new Vector()
tv.record(&t)
tstop = 3
run()
fcurrent()
printf("%g %g\\n", soma.nb_tally(0.5), soma.na_tally(0.5))
"""
NETWORK = """ns = new NetStim()
ns.start = 0
ns.interval = 1
ns.number = 3
soma syn = new ExpSyn(0.5)
nc = new NetCon(ns, syn)
nc.weight = 0.01"""


@pytest.mark.neuron
@pytest.mark.parametrize("network", ["", NETWORK])
def test_before_breakpoint_and_after_solve_run_as_often_as_in_neuron(tmp_path, network):
    mods = _mods(tmp_path, {"tally.mod": COUNTER})
    theirs, ref, printed, ours, _ = _both(tmp_path, COUNTED.replace("NETWORK", network), ("nbv", "nav", "tv"),
                                          mod_dir=mods)
    assert ref["nbv"][-1] > 100
    _same_output(theirs, printed, 0.0)
    assert _worst(ref, ours, ("nbv", "nav", "tv")) == 0.0
