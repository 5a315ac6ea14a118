"""bridge.capture_neuron on a network built in Python the way hnn-core builds its cortical column (written
by us): every cell's sections share their names (`h.Section(name="Pyr_soma")`), v is set per section
before the sections are connected and `h.finitialize()` runs without an argument (each node keeps its
v), ParallelContext gids for cells and for VecStim drives (`pc.cell(gid, h.NetCon(vs, None))`),
`pc.gid_connect` into Exp2Syns, `pc.spike_record` per gid, `pc.psolve`. Compared with the same session
run in NEURON 9.0.2: soma v of every cell (<= 1e-9 mV) and every gid's spike times (<= 1e-9 ms)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.model import Model, Simulation
from bridge.morphology.nodes import node_layout
from bridge.morphology.tree import SectionTree

VECSTIM_MOD = Path(__file__).parents[1] / "solver" / "vecstim_neuron" / "vecstim_c.mod"

_NETWORK = r'''
import json, sys
import numpy as np
from neuron import h
import bridge
h.nrn_load_dll(sys.argv[1])
ncell, tstop = int(sys.argv[2]), float(sys.argv[3])
pc = h.ParallelContext()
h.CVode().active(0)
V0 = {"soma": -70.0, "dend": -64.5, "apic": -66.25}


class Pyr:  # hnn-core's _Cell: sections named by type, not by cell; v set before connecting
    def __init__(self, gid, x):
        self.secs = {}
        for name, (L, diam, nseg) in {"soma": (20, 18, 1), "dend": (150, 2, 5), "apic": (300, 3, 7)}.items():
            sec = h.Section(name=f"Pyr_{name}")
            h.pt3dclear(sec=sec)
            h.pt3dadd(x, 0, 0, 1, sec=sec)
            h.pt3dadd(x, L, 0, 1, sec=sec)
            sec.L, sec.diam, sec.nseg, sec.Ra, sec.cm = L, diam, nseg, 200.0, 0.85
            sec.v = V0[name]
            self.secs[name] = sec
        self.secs["dend"].connect(self.secs["soma"], 0.0, 0.0)
        self.secs["apic"].connect(self.secs["soma"], 1.0, 0.0)
        h.define_shape()
        self.secs["soma"].insert("hh")
        for name in ("dend", "apic"):
            self.secs[name].insert("pas")
            self.secs[name].g_pas, self.secs[name].e_pas = 1e-4, -65.0 - gid
        self.syn = {}
        for name, e, tau2 in (("soma", -80.0, 12.0), ("apic", 0.0, 5.0)):
            syn = h.Exp2Syn(self.secs[name](0.5))
            syn.e, syn.tau1, syn.tau2 = e, 0.5, tau2
            self.syn[name] = syn
        self.source = h.NetCon(self.secs["soma"](0.5)._ref_v, None, sec=self.secs["soma"])
        self.source.threshold = 0.0


cells = [Pyr(g, 40.0 * g) for g in range(ncell)]
for g, c in enumerate(cells):
    pc.set_gid2node(g, 0)
    pc.cell(g, c.source)
drives = []  # hnn-core's _ArtificialCell: a VecStim playing a Vector, its NetCon the gid's source
for k in range(ncell):
    vec = h.Vector([1.0 + 2.5 * k, 6.0 + k, 6.0 + k, 19.0 - 0.5 * k, 31.25])
    vs = h.VecStim()
    vs.play(vec)
    nc = h.NetCon(vs, None)
    gid = ncell + k
    pc.set_gid2node(gid, 0)
    pc.cell(gid, nc)
    drives.append((vs, vec, nc))
keep = []
for g, c in enumerate(cells):
    for k in (g, (g + 1) % ncell):  # two drives per cell, onto the apical synapse
        nc = pc.gid_connect(ncell + k, c.syn["apic"])
        nc.weight[0], nc.delay = 0.1 + 0.02 * k, 0.1 + 0.2 * k
        keep.append(nc)
    nc = pc.gid_connect((g + 1) % ncell, c.syn["soma"])  # the next cell inhibits this one
    nc.weight[0], nc.delay = 0.004, 1.0 + 0.5 * g
    keep.append(nc)
    nc = pc.gid_connect((g - 1) % ncell, c.syn["apic"])  # the previous cell excites it
    nc.weight[0], nc.delay = 0.05, 2.0
    keep.append(nc)
tvec, idvec = h.Vector(), h.Vector()
for gid in range(2 * ncell):
    pc.spike_record(gid, tvec, idvec)
h.dt, h.celsius = 0.025, 16.0  # hh fires at 16 degC (at 37 it does not here)

cap = bridge.capture_neuron(h, vecstims={vs: vec for vs, vec, _ in drives})
allsec = list(h.allsec())
somas = [cap.section_names[next(i for i, s in enumerate(allsec) if s == c.secs["soma"])] for c in cells]
sim = bridge.Simulation(cap.model(keep_v=True, tstop=tstop), record=[f"{n}(0.5).v" for n in somas])
traces = sim.run()
ours = np.asarray(traces.values)
ours_spikes = {str(g): [float(t) for t in traces.spikes(cap.gids[g])] for g in range(2 * ncell)}

vecs = [h.Vector().record(c.secs["soma"](0.5)._ref_v) for c in cells]
pc.set_maxstep(10)
h.finitialize()  # no argument: each node keeps the v set above
h.fcurrent()
pc.psolve(tstop)
theirs = np.array([list(v) for v in vecs]).T
theirs_spikes = {str(g): [t for t, i in zip(tvec, idvec) if int(i) == g] for g in range(2 * ncell)}
json.dump({"dv": float(np.max(np.abs(ours - theirs))), "shape": [list(ours.shape), list(theirs.shape)],
           "v0": [float(x) for x in ours[0]], "somas": somas, "ours": ours_spikes, "theirs": theirs_spikes},
          sys.stdout)
'''


def _dll() -> str:
    from validation.neuron_run import compile_mod_files  # noqa: PLC0415

    return str(compile_mod_files([VECSTIM_MOD]))


@pytest.mark.neuron
def test_hnn_style_network_matches_neuron():
    ncell = 3
    out = subprocess.run([sys.executable, "-c", _NETWORK, _dll(), str(ncell), "40"], capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout[out.stdout.index("{"):])
    assert got["shape"][0] == got["shape"][1]
    assert got["somas"] == [f"Pyr_soma#{g}" for g in range(ncell)]
    assert got["v0"] == [-70.0] * ncell  # each soma starts from its own v, not v_init (-65)
    assert got["dv"] <= 1e-9, got["dv"]
    assert got["ours"] == got["theirs"], (got["ours"], got["theirs"])
    cell_spikes = sum(len(got["theirs"][str(g)]) for g in range(ncell))
    assert cell_spikes >= ncell, got["theirs"]  # the cells fire: the network's events matter
    assert [len(got["theirs"][str(ncell + k)]) for k in range(ncell)] == [5] * ncell  # two equal times each
    print(got["dv"], cell_spikes)


@pytest.mark.neuron
def test_capture_refuses_a_vecstim_whose_vector_it_is_not_given():
    code = ("import sys\nfrom neuron import h\nimport bridge\nh.nrn_load_dll(sys.argv[1])\n"
            "s = h.Section(name='s'); syn = h.ExpSyn(s(0.5))\n"
            "vs = h.VecStim(); vec = h.Vector([1, 2]); vs.play(vec); nc = h.NetCon(vs, syn)\n"
            "cap = bridge.capture_neuron(h, vecstims={vs.hname(): vec})\n"
            "assert cap.network.cells[0].params['times'] == (1.0, 2.0), cap.network.cells\n"
            "try:\n    bridge.capture_neuron(h)\nexcept bridge.BridgeError as e:\n"
            "    assert 'VecStim[0]' in str(e) and 'vecstims=' in str(e), e\n    print('OK')\n")
    out = subprocess.run([sys.executable, "-c", code, _dll()], capture_output=True, text=True, timeout=300)
    assert "OK" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]


@pytest.mark.neuron
def test_sections_sharing_a_name_are_numbered_and_a_clash_is_refused():
    code = ("from neuron import h\nimport bridge\n"
            "a = [h.Section(name='x') for _ in range(2)]; b = h.Section(name='y')\n"
            "a[1].connect(b(1))\n"
            "tree = bridge.from_neuron(h)\n"
            "assert list(tree.sections) == ['x#0', 'x#1', 'y'], list(tree.sections)\n"
            "assert tree.sections['x#1'].parent == 'y', tree.sections['x#1'].parent\n"
            "c = h.Section(name='x#1')\n"
            "try:\n    bridge.from_neuron(h)\nexcept bridge.BridgeError as e:\n"
            "    assert 'x#1' in str(e), e\n    print('OK')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "OK" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]


def _two_sections() -> SectionTree:
    tree = SectionTree()
    tree.section("soma", L=20, diam=20).insert("pas")
    tree.section("dend", L=100, diam=2, nseg=3).insert("pas")
    tree.connect("dend", "soma", 1.0)
    return tree


def test_v_init_per_node_starts_each_node_from_its_value():
    tree = _two_sections()
    layout = node_layout(tree)
    v0 = np.linspace(-72.0, -60.0, layout.nnode)
    sim = Simulation(Model(tree, v_init=v0, tstop=0.05), record=["soma(0.5).v", "dend(0.5).v"])
    first = np.asarray(sim.run().values)[0]
    assert first.tolist() == [v0[layout.node("soma", 0.5)], v0[layout.node("dend", 0.5)]]


def test_v_init_per_node_needs_one_value_per_node():
    with pytest.raises(BridgeError, match="one per node"):
        Simulation(Model(_two_sections(), v_init=np.zeros(3)))
