"""NEURON's built-in extracellular mechanism (bridge.solver.extracellular) against real NEURON 9.0.2.

NEURON solves the extracellular system with sparse13 (a general sparse LU) and bridge with a 3x3 block
tree elimination: the same equations in another elimination order, so the traces agree to round-off,
not bit for bit. Every comparison below uses 1e-9 (mV for v and vext, mA/cm2 for i_membrane); the
measured differences are about 1e-11 mV (spiking hh, the largest) and 1e-14 mA/cm2.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import bridge
from bridge.errors import BridgeError
from bridge.testing import assert_matches_neuron

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
ATOL = 1e-9

# a myelinated axon in the double-cable pattern of published models (ModelDB 114685's GPe/GPi axons):
# nodes of Ranvier (hh) whose layer 0 is grounded (xg = 1e10), paranodes and internodes whose myelin
# is layer 0's xg, xc and whose periaxonal space is its xraxial; a soma without extracellular
MYELIN = """
nnode = 6
create soma, node[nnode], mysa[2*(nnode-1)], flut[2*(nnode-1)], stin[3*(nnode-1)]
rhoa = 0.7e6
mycm = 0.1
mygm = 0.001
nl = 30
func rp() { // periaxonal resistance [MOhm/cm] of a space $1 um wide around a fiber $2 um thick
  return (70*0.01*1e-6*1e4) / (PI*(($2/2 + $1)^2 - ($2/2)^2)) * 1e6 / 1e4
}
soma { L = 20 diam = 20 nseg = 1 insert hh }
proc geom() { local i
  for i = 0, nnode-1 node[i] { L = 1 diam = 1.9 nseg = 1 Ra = rhoa/1e4 cm = 2 insert hh gnabar_hh = 3 gl_hh = 0.01
    insert extracellular xraxial = rp(0.002, 1.9) xg = 1e10 xc = 0 }
  for i = 0, 2*(nnode-1)-1 mysa[i] { L = 3 diam = 1.9 nseg = 1 Ra = rhoa/1e4 cm = 2 insert pas g_pas = 1e-4
    e_pas = -65
    insert extracellular xraxial = rp(0.002, 1.9) xg = mygm/(nl*2) xc = mycm/(nl*2) }
  for i = 0, 2*(nnode-1)-1 flut[i] { L = 35 diam = 3.4 nseg = 1 Ra = rhoa/1e4 cm = 2 insert pas g_pas = 1e-4
    e_pas = -65
    insert extracellular xraxial = rp(0.004, 3.4) xg = mygm/(nl*2) xc = mycm/(nl*2) }
  for i = 0, 3*(nnode-1)-1 stin[i] { L = 30 diam = 3.4 nseg = 3 Ra = rhoa/1e4 cm = 2 insert pas g_pas = 1e-4
    e_pas = -65
    insert extracellular xraxial = rp(0.004, 3.4) xg = mygm/(nl*2) xc = mycm/(nl*2) }
}
geom()
proc topo() { local i, j
  connect node[0](0), soma(1)
  for i = 0, nnode-2 {
    connect mysa[2*i](0), node[i](1)
    connect flut[2*i](0), mysa[2*i](1)
    connect stin[3*i](0), flut[2*i](1)
    for j = 1, 2 connect stin[3*i+j](0), stin[3*i+j-1](1)
    connect flut[2*i+1](0), stin[3*i+2](1)
    connect mysa[2*i+1](0), flut[2*i+1](1)
    connect node[i+1](0), mysa[2*i+1](1)
  }
}
topo()
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 0.5
stim.amp = 2
tstop = 5
"""

# extracellular stimulation: a field through e_extracellular (set per segment, as xtra-style models
# compute it), an extracellular root section with an extracellular branch at its middle and a plain one
# at its end, and an IClamp (ELECTRODE_CURRENT) inside the field
FIELD = """
create axon, dend, side
connect dend(0), axon(1)
connect side(0), axon(0.5)
axon { L = 1000 diam = 2 nseg = 21 Ra = 100 insert hh
  insert extracellular xraxial = 1e4 xg = 1e-3 xc = 0.5
  for (x, 0) e_extracellular(x) = -40*exp(-((x-0.4)/0.1)^2) }
dend { L = 200 diam = 1 nseg = 5 insert pas g_pas = 1e-4 e_pas = -65 }
side { L = 100 diam = 1 nseg = 3 insert pas insert extracellular xraxial = 5e3 xc = 0.1 }
objref st
axon st = new IClamp(0.8)
st.del = 2
st.dur = 1
st.amp = 0.1
tstop = 6
"""

# an SEClamp (ELECTRODE_CURRENT whose current depends on v: it sees v + vext[0]) in a field, secondorder 2
CLAMP = """
create axon
axon { L = 500 diam = 2 nseg = 11 insert hh insert extracellular xraxial = 2e4 xg = 1e-2 xc = 1
  for (x, 0) e_extracellular(x) = 20*x }
objref se
axon se = new SEClamp(0.3)
se.dur1 = 1
se.amp1 = -65
se.dur2 = 2
se.amp2 = -20
se.rs = 1
tstop = 4
secondorder = 2
"""


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(text))
    return path


def _neuron(path: Path, labels: list[str]) -> dict:
    cmd = [sys.executable, str(HERE / "extracellular_neuron.py"), str(path), ",".join(labels)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=str(REPO))
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("JSON:")), None)
    assert line is not None, f"NEURON failed on {path}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return json.loads(line[5:])


def _bridge(path: Path, labels: list[str]):
    model = bridge.load_hoc(path).to_model()
    sim = bridge.Simulation(model, record=labels)
    return sim.run(sim.params())


def _compare(path: Path, labels: list[str]) -> dict[str, float]:
    ref = _neuron(path, labels)
    traces = _bridge(path, labels)
    np.testing.assert_array_equal(np.asarray(traces.t), np.asarray(ref["t"]))
    worst = {}
    for label in labels:
        ours, theirs = np.asarray(traces[label]), np.asarray(ref[label])
        assert ours.shape == theirs.shape, label
        worst[label] = float(np.max(np.abs(ours - theirs)))
        assert worst[label] <= ATOL, f"{label}: max |d| {worst[label]:.3g} (NEURON's range {theirs.min():g}..)"
    return worst


@pytest.mark.neuron
def test_myelinated_axon_matches_neuron(tmp_path):
    path = _write(tmp_path, MYELIN)
    result = assert_matches_neuron(path, {"default_steps": False, "recordings": [
        "soma(0.5).v", "node[0](0.5).v", "node[5](0.5).v", "stin[4](0.5).v", "mysa[3](0.5).v"]}, atol=ATOL)
    assert result.comparison.max_dv <= ATOL
    labels = ["node[5](0.5).v", "stin[4](0.5).vext[0]", "stin[4](0.5).vext[1]", "flut[3](0.5).vext[0]",
              "node[3](0.5).vext[0]", "node[3](0.5).i_membrane", "flut[3](0.5).i_membrane", "stin[7](1).vext[0]"]
    _compare(path, labels)
    ref = _neuron(path, ["node[5](0.5).v", "stin[4](0.5).vext[0]"])
    assert max(ref["node[5](0.5).v"]) > 0  # the spike crosses the myelinated part
    assert max(np.abs(ref["stin[4](0.5).vext[0]"])) > 1e-3  # the periaxonal layer does move


@pytest.mark.neuron
def test_extracellular_field_matches_neuron(tmp_path):
    path = _write(tmp_path, FIELD)
    labels = ["axon(0.5).v", "axon(0.1).v", "axon(0.8).v", "dend(0.5).v", "side(0.5).v", "axon(0.5).vext[0]",
              "axon(0.5).vext[1]", "axon(0.5).i_membrane", "side(0.5).vext[0]", "axon(1).vext[0]", "axon(0).v"]
    _compare(path, labels)
    ref = _neuron(path, ["axon(0.4).v", "axon(0.4).vext[1]"])
    assert min(ref["axon(0.4).vext[1]"]) < -10 and max(ref["axon(0.4).v"]) > 0  # the field fires the axon


@pytest.mark.neuron
def test_electrode_in_field_secondorder2_matches_neuron(tmp_path):
    path = _write(tmp_path, CLAMP)
    _compare(path, ["axon(0.3).v", "axon(0.9).v", "axon(0.3).vext[0]", "axon(0.3).vext[1]", "axon(0.3).i_membrane"])


def test_extracellular_defaults_and_probes(tmp_path):
    """extcell_alloc's defaults, vext and i_membrane 0 at finitialize, probes only where it is inserted."""
    path = _write(tmp_path, """
create a, b
connect b(0), a(1)
a { nseg = 3 insert pas insert extracellular }
""")
    model = bridge.load_hoc(path).to_model()
    sim = bridge.Simulation(model, record=["a(0.5).vext[0]", "a(0.5).i_membrane"], tstop=0.1)
    params = sim.params()
    ext = params["mechanisms"]["extracellular"]
    assert np.all(np.asarray(ext["xraxial0"]) == 1e9) and np.all(np.asarray(ext["xg1"]) == 1e9)
    assert np.all(np.asarray(ext["xc0"]) == 0) and np.all(np.asarray(ext["e_extracellular"]) == 0)
    assert len(np.asarray(ext["xg0"])) == 3 + 1 + 1  # the 3 segments, the 1-end node and the root node
    traces = sim.run(params)
    assert float(traces["a(0.5).vext[0]"][0]) == 0.0 and float(traces["a(0.5).i_membrane"][0]) == 0.0
    with pytest.raises(BridgeError, match="extracellular is not inserted"):
        bridge.Simulation(model, record=["b(0.5).vext[0]"])


# Vector.play into e_extracellular (continuous and discrete), layer 1 set by subscript (`xg[1] = ...`,
# `axon.xg[1](0.3) = ...`), recorded i_membrane, e_extracellular, vext[1] and vext[0], and HOC's reads of
# i_membrane, vext and the layers after the run
PLAY = """
load_file("stdrun.hoc")
create axon
axon { L = 500 diam = 2 nseg = 11 insert hh insert extracellular xraxial = 2e4 xg = 1e-2 xc = 1
  xg[1] = 0.5 xraxial[1] = 1e5 xc[1] = 0.2 }
axon.xg[1](0.3) = 0.05
objref ve, tv, ve2, rec, rec2, rec3, rec4, rec5
ve = new Vector()
tv = new Vector()
ve.append(0, 0, -60, -60, 10, 0)
tv.append(0, 1, 1.2, 1.6, 2.0, 3)
axon ve.play(&e_extracellular(0.3), tv, 1)
ve2 = new Vector()
ve2.append(0, 20, 0, -5)
axon ve2.play(&e_extracellular(0.7), 1)
rec = new Vector()
rec2 = new Vector()
rec3 = new Vector()
axon rec.record(&i_membrane(0.3))
axon rec2.record(&v(0.3))
axon rec3.record(&e_extracellular(0.7))
rec4 = new Vector()
rec4.record(&axon.vext[1](0.3))
rec5 = new Vector()
axon rec5.record(&vext[0](0.5))
tstop = 5
run()
printf("%.12g %.12g %.12g %.12g %.12g\\n", rec2.max(), rec.max(), rec3.max(), axon.i_membrane(0.3), axon.vext(0.3))
printf("%.12g %.12g %.12g %.12g\\n", axon.vext[1](0.3), axon.xg[1](0.3), axon.xg[1](0.5), axon.xc[1](0.9))
"""


@pytest.mark.neuron
def test_play_into_e_extracellular_matches_neuron(tmp_path):
    from tests.hoc.test_live_run import _both, _same_output, _same_vectors

    theirs, ref, ours, vecs, _ = _both(tmp_path, PLAY, ("rec", "rec2", "rec3", "rec4", "rec5"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert ref["rec2"].max() > 0 and ref["rec3"].min() == -5  # the played field fires the axon
    assert np.abs(ref["rec4"]).max() > 1  # layer 1 moves


# MechanismStandard("extracellular") as the CellBuilder uses it (ModelDB 112086's session): its PARAMETERs,
# the layer arrays' sizes and elements, out() into a section and in() back
STANDARD = """
create a
a { nseg = 2 insert pas insert extracellular }
objref ms, ms2
strdef s
ms = new MechanismStandard("extracellular")
print ms.count()
for i = 0, ms.count() - 1 { n = ms.name(s, i) print s, n }
{ms.set("xraxial", 5e3, 1)}
{ms.set("xg", 2, 0)}
{ms.set("xc", 0.3, 1)}
print ms.get("xraxial", 0), ms.get("xraxial", 1), ms.get("xg", 1), ms.get("xc", 1)
a ms.out()
print a.xraxial[1](0.5), a.xg(0.5), a.xc[1](0.7), a.xg[1](0.5)
ms2 = new MechanismStandard("extracellular")
a ms2.in(0.5)
print ms2.get("xraxial", 1), ms2.get("xg", 0), ms2.get("xc", 1)
"""


@pytest.mark.neuron
def test_mechanism_standard_extracellular_matches_neuron(tmp_path):
    from tests.hoc.test_live_run import _both, _same_output

    theirs, _, ours, _, _ = _both(tmp_path, STANDARD, ())
    _same_output(theirs, ours)
    assert "xg2" in [line.strip() for line in ours]  # `print s, n`: the name, then its size 2


# a NetStim driving an ExpSyn on an axon in a field: the event path (bridge.solver.integrate's step_events)
# carries the extracellular state; the spikes amplify round-off (measured 4e-10 mV)
NETWORK = """
create axon
axon { L = 500 diam = 2 nseg = 11 insert hh insert extracellular xraxial = 2e4 xg = 1e-2 xc = 1
  for (x, 0) e_extracellular(x) = 5*x }
objref syn, ns, nc
axon syn = new ExpSyn(0.2)
ns = new NetStim()
ns.start = 1
ns.interval = 2
ns.number = 3
nc = new NetCon(ns, syn, 0, 0.5, 0.02)
tstop = 8
"""


@pytest.mark.neuron
def test_synapse_events_in_field_match_neuron(tmp_path):
    path = _write(tmp_path, NETWORK)
    _compare(path, ["axon(0.2).v", "axon(0.9).v", "axon(0.2).vext[0]", "axon(0.2).i_membrane"])
    assert max(_neuron(path, ["axon(0.9).v"])["axon(0.9).v"]) > 0  # the synapse fires the axon
