"""bridge.capture_neuron: a network built in Python NEURON (cells as Python classes, NetCons,
NetStims, ParallelContext gids), captured and run in bridge, against the same session run in NEURON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.neuron

# Three or more hh cells (soma + passive dendrite) as a Python class, an ExpSyn on the dendrite and
# an inhibitory Exp2Syn on the soma of each; a NetStim drives cell 0; each soma excites the next cell
# (a ring, each NetCon its own delay, threshold and weight); cell 0 also inhibits the last cell (a second
# NetCon on the same source); an inactive NetCon; with `pc`, gids and gid_connect instead of NetCons on v.
_NETWORK = r'''
import json, sys
import numpy as np
from neuron import h
import bridge
h.load_file("stdrun.hoc")
ncell, use_pc, art = int(sys.argv[1]), sys.argv[2] == "pc", sys.argv[3] == "intfire"


class Cell:
    def __init__(self, i):
        self.soma = h.Section(name=f"c{i}_soma")
        self.dend = h.Section(name=f"c{i}_dend")
        self.dend.connect(self.soma(1))
        self.soma.L = self.soma.diam = 18.8
        self.soma.insert("hh")
        self.dend.L, self.dend.diam, self.dend.nseg = 150, 1.2, 5
        self.dend.insert("pas")
        for seg in self.dend:
            seg.pas.g, seg.pas.e = 2e-4, -64.0
        self.esyn = h.ExpSyn(self.dend(0.5))
        self.esyn.tau = 2.0 + 0.1 * i
        self.isyn = h.Exp2Syn(self.soma(0.5))
        self.isyn.tau1, self.isyn.tau2, self.isyn.e = 0.5, 4.0, -75.0


cells = [Cell(i) for i in range(ncell)]
stim = h.NetStim()
stim.start, stim.interval, stim.number = 2.0, 17.0, 3
keep, spikes = [], {}
pc = h.ParallelContext() if use_pc else None
if use_pc:
    tvec, idvec = h.Vector(), h.Vector()
    for i, c in enumerate(cells):
        pc.set_gid2node(i, 0)
        nc = h.NetCon(c.soma(0.5)._ref_v, None, sec=c.soma)
        nc.threshold = -10.0 + i
        pc.cell(i, nc)
        keep.append(nc)
    pc.spike_record(-1, tvec, idvec)

    def connect(i, syn):
        return pc.gid_connect(i, syn)
else:
    def connect(i, syn):
        nc = h.NetCon(cells[i].soma(0.5)._ref_v, syn, sec=cells[i].soma)
        nc.threshold = -10.0 + i
        return nc
drive = h.NetCon(stim, cells[0].esyn)
drive.weight[0], drive.delay = 0.04, 0.5
keep.append(drive)
off = h.NetCon(stim, cells[1 % ncell].esyn)
off.weight[0], off.delay = 0.5, 0.1
off.active(False)
keep.append(off)
for i in range(ncell):
    nc = connect(i, cells[(i + 1) % ncell].esyn)
    nc.weight[0], nc.delay = 0.03 + 0.002 * i, 1.7 + 0.3 * i
    keep.append(nc)
inh = connect(0, cells[-1].isyn)
inh.weight[0], inh.delay = 0.004, 3.1
keep.append(inh)
if art:  # an IntFire1 driven by two somas; it drives cell 1's inhibitory synapse
    fire = h.IntFire1()
    fire.tau, fire.refrac = 4.0, 2.5
    for i, w in ((0, 0.6), (2, 0.7)):
        nc = connect(i, fire)
        nc.weight[0], nc.delay = w, 0.8 + i
        keep.append(nc)
    out = h.NetCon(fire, cells[1].isyn)
    out.weight[0], out.delay = 0.01, 1.3
    vfire = h.Vector()
    out.record(vfire)
    keep.append(out)
if not use_pc:
    for i, c in enumerate(cells):
        rec = h.NetCon(c.soma(0.5)._ref_v, None, sec=c.soma)
        rec.threshold = -10.0 + i
        vec = h.Vector()
        rec.record(vec)
        spikes[f"c{i}_soma(0.5).v"] = vec
        keep.append((rec, vec))
if art:
    spikes["IntFire1[0]"] = vfire
h.dt, h.tstop, h.celsius = 0.025, 60.0, 6.3

cap = bridge.capture_neuron(h)
probes = [f"c{i}_soma(0.5).v" for i in range(ncell)] + [f"c{i}_dend(0.5).v" for i in range(ncell)]
sim = bridge.Simulation(cap.model(), record=probes)
traces = sim.run()
ours = np.asarray(traces.values)
ours_spikes = {label: list(map(float, traces.spikes(label))) for label in traces.spike_labels}

vecs = []
for i, c in enumerate(cells):
    for sec in (c.soma, c.dend):
        vecs.append(h.Vector().record(sec(0.5)._ref_v))
vecs = vecs[0::2] + vecs[1::2]
h.finitialize(-65.0)
for _ in range(sim.nsteps):
    h.fadvance()
theirs = np.array([list(v) for v in vecs]).T
if use_pc:
    for i in range(ncell):
        spikes[cap.gids[i]] = [t for t, g in zip(tvec, idvec) if int(g) == i]
json.dump({"dv": float(np.max(np.abs(ours - theirs))), "shape": [list(ours.shape), list(theirs.shape)],
           "ours": ours_spikes, "theirs": {k: list(v) for k, v in spikes.items()},
           "gids": {str(k): v for k, v in cap.gids.items()}}, sys.stdout)
'''


def _run(ncell: int, pc: bool, art: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", _NETWORK, str(ncell), "pc" if pc else "netcon",
                          "intfire" if art else "plain"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout[out.stdout.index("{"):])


@pytest.mark.parametrize(("ncell", "pc", "art"), [(3, False, False), (4, True, False), (3, False, True)],
                         ids=["netcons", "parallelcontext", "intfire1"])
def test_captured_network_matches_neuron(ncell, pc, art):
    got = _run(ncell, pc, art)
    assert got["shape"][0] == got["shape"][1]
    assert got["dv"] <= 1e-9, got["dv"]
    theirs = got["theirs"]
    assert set(theirs) <= set(got["ours"]), (sorted(got["ours"]), sorted(theirs))
    for label, times in theirs.items():
        assert got["ours"][label] == times, (label, got["ours"][label], times)
    assert sum(len(t) for t in theirs.values()) >= 2 * ncell  # the ring fires: the comparison means something
    if pc:
        assert got["gids"] == {str(i): f"c{i}_soma(0.5).v" for i in range(ncell)}
    print(got["dv"])


_BASE = ("from neuron import h\nimport bridge\n"
         "s = h.Section(name='s'); s.insert('hh'); syn = h.ExpSyn(s(0.5)); ns = h.NetStim()\n")


def _refused(setup: str, message: str) -> None:
    code = (_BASE + setup + "try:\n    bridge.capture_neuron(h)\nexcept bridge.BridgeError as e:\n"
            f"    assert {message!r} in str(e), e\n    print('OK')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "OK" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]


@pytest.mark.parametrize(("setup", "message"), [
    ("ns.noise = 0.5\nnc = h.NetCon(ns, syn)\n", "NetStim.noise"),
    ("nc = h.NetCon(syn._ref_g, None, sec=s)\n", "variable other than v"),
    ("nc = h.NetCon(None, syn)\n", "NetCon.event()"),
    ("nc = h.NetCon(ns, syn)\nf = h.FInitializeHandler(lambda: nc.event(1.0))\n", "FInitializeHandler"),
    ("pc = h.ParallelContext()\nnc = pc.gid_connect(7, syn)\n", "gid 7"),
], ids=["noise", "pp-variable", "nil-source", "finitialize-handler", "missing-gid"])
def test_capture_refuses_what_bridge_cannot_reproduce(setup, message):
    _refused(setup, message)


def test_capture_reads_each_netcon_field():
    """Weights (all of NET_RECEIVE's), delay, threshold, active, record, labels, the artificial cells in
    NEURON's type order, the settings; without stdrun.hoc (no tstop, v_init) the Model's defaults."""
    code = (_BASE + "i1 = h.IntFire1(); i1.tau = 7\n"
            "a = h.NetCon(s(0.5)._ref_v, syn, -5, 2.5, 0.3, sec=s)\n"
            "b = h.NetCon(i1, syn); b.active(False); v = h.Vector(); b.record(v)\n"
            "c = h.NetCon(ns, i1); c.weight[0] = 0.7\n"
            "h.dt = 0.01\n"
            "cap = bridge.capture_neuron(h)\n"
            "net = cap.network\n"
            "assert [(x.name, x.label, x.params.get('tau')) for x in net.cells] == "
            "[('NetStim', 'NetStim[0]', None), ('IntFire1', 'IntFire1[0]', 7.0)], net.cells\n"
            "a, b, c = net.netcons\n"
            "assert (a.source, a.target, a.threshold, a.delay, a.weight, a.active, a.record) == "
            "(('v', 's', 0.5), ('point', 0), -5.0, 2.5, (0.3,), True, False), a\n"
            "assert (b.source, b.active, b.record, b.label) == (('cell', 1), False, True, 'NetCon[1]'), b\n"
            "assert (c.source, c.target, c.weight) == (('cell', 0), ('cell', 1), (0.7,)), c\n"
            "assert cap.settings == {'dt': 0.01, 'celsius': 6.3}, cap.settings\n"
            "m = cap.model(tstop=3)\n"
            "assert (m.dt, m.tstop, m.v_init, m.network is net) == (0.01, 3, -65.0, True)\n"
            "print('OK')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "OK" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]
