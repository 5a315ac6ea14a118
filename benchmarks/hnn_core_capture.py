"""hnn-core's network (jones_2009_model, a small mesh, hnn-core's evoked-drive example) built by hnn-core's
NetworkBuilder in NEURON 9.0.2, captured with bridge.capture_neuron, run in bridge and in NEURON (hnn-core's
own sequence: cvode off, finitialize() without argument, fcurrent(), pc.psolve(tstop)); prints max |dV| of
every soma and compares every gid's spike times, then judges bridge's |dV| by the harness's round-off rule
(NEURON run again, and again with v one ulp up every ms: benchmarks/own_roundoff.py). Results:
benchmarks/results/hnn_core_capture_2026-12-07.md.

    PYTHONPATH=<hnn-core>:$PWD .venv/bin/python benchmarks/hnn_core_capture.py 3x3 170 [xla]

hnn-core (PyPI, 0.6.1) pins NEURON <= 8.2.7 and calls h.nrnunit_use_legacy(1), which NEURON 9 refuses: install
it without dependencies and drop that line (NEURON 9 has only modern units); compile its mod/ folder with
NEURON 9's nrnivmodl. Its dipole mechanisms write through POINTERs (refused by bridge), so the cells are built
without them (measure_dipole off): they never change v.
"""
# ruff: noqa: E402, E501, I001 (the arithmetic flags must be set before JAX starts)
import json
import sys
import time
from pathlib import Path

from validation.arithmetic import use_neuron_arithmetic

if "xla" not in sys.argv[3:]:  # `... 3x3 170 xla`: XLA's own arithmetic (FMA, its exp), as bridge as a library
    use_neuron_arithmetic()  # NEURON's roundings (no FMA, divisions as written, glibc's exp), as validation runs
import numpy as np
from hnn_core import jones_2009_model
from hnn_core import network_builder as nb
from neuron import h

import bridge
from bridge.nmodl.load import load_mod
from bridge.solver.event_plan import EventSettings
from benchmarks import own_roundoff


def build(mesh=(3, 3), dipole=False, drives=True, seed=0):
    net = jones_2009_model(mesh_shape=mesh)
    net._verbose = False
    if drives:  # hnn-core's plot_simulate_evoked example (its numbers)
        weights_ampa_d1 = {'L2_basket': 0.006562, 'L2_pyramidal': .000007, 'L5_pyramidal': 0.142300}
        weights_nmda_d1 = {'L2_basket': 0.019482, 'L2_pyramidal': 0.004317, 'L5_pyramidal': 0.080074}
        synaptic_delays_d1 = {'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_pyramidal': 0.1}
        net.add_evoked_drive('evdist1', mu=63.53, sigma=3.85, numspikes=1, weights_ampa=weights_ampa_d1,
                             weights_nmda=weights_nmda_d1, location='distal', synaptic_delays=synaptic_delays_d1,
                             event_seed=274 + seed)
        weights_ampa_p1 = {'L2_basket': 0.08831, 'L2_pyramidal': 0.01525, 'L5_basket': 0.19934, 'L5_pyramidal': 0.00865}
        synaptic_delays_prox = {'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_basket': 1., 'L5_pyramidal': 1.}
        net.add_evoked_drive('evprox1', mu=26.61, sigma=2.47, numspikes=1, weights_ampa=weights_ampa_p1,
                             weights_nmda=None, location='proximal', synaptic_delays=synaptic_delays_prox,
                             event_seed=544 + seed)
        weights_ampa_p2 = {'L2_basket': 0.000003, 'L2_pyramidal': 1.438840, 'L5_basket': 0.008958, 'L5_pyramidal': 0.684013}
        net.add_evoked_drive('evprox2', mu=137.12, sigma=8.33, numspikes=1, weights_ampa=weights_ampa_p2,
                             location='proximal', synaptic_delays=synaptic_delays_prox, event_seed=814 + seed)
    if not dipole:
        for ct in net.cell_types.values():
            ct["cell_metadata"]["measure_dipole"] = False
    return net



mesh = tuple(int(x) for x in sys.argv[1].split("x")) if len(sys.argv) > 1 else (3, 3)
tstop = float(sys.argv[2]) if len(sys.argv) > 2 else 170.0
dt = 0.025
t0 = time.time()
net = build(mesh)
net._instantiate_drives(tstop=tstop, n_trials=1)
builder = nb.NetworkBuilder(net)
h.load_file("stdrun.hoc")
h.tstop, h.dt, h.celsius = tstop, dt, net._params["celsius"]
t_build = time.time() - t0
cells = builder._cells
somas = [c._nrn_sections["soma"] for c in cells]
gids = [c.gid for c in cells]

t0 = time.time()
cap = bridge.capture_neuron(h, vecstims={d.nrn_vecstim: d.nrn_eventvec for d in builder._drive_cells})
allsec = list(h.allsec())
soma_names = []
for s in somas:
    k = next(i for i, o in enumerate(allsec) if o == s)
    soma_names.append(cap.section_names[k])
mods = Path(nb.__file__).parent / "mod"
mechs = {}
for f in sorted(mods.glob("*.mod")):
    if f.stem.startswith("dipole"):
        continue
    m = load_mod(f)
    mechs[m.name] = m
t_capture = time.time() - t0
print("capture", t_capture, "s; VecStim mech:", type(mechs.get("VecStim")).__name__, file=sys.stderr)
probes = [f"{n}(0.5).v" for n in soma_names]
t0 = time.time()
sim = bridge.Simulation(cap.model(keep_v=True, mechanisms=mechs, tstop=tstop), record=probes,
                       events=EventSettings(capacity=16384, per_step=1024, spikes=256, differentiable=False))
traces = sim.run()
ours = np.asarray(traces.values)
t_bridge = time.time() - t0
ours_spikes = {g: [float(x) for x in traces.spikes(cap.gids[g])] for g in cap.gids}

# NEURON, as hnn-core's _simulate_single_trial (without its print callbacks)
vecs = [h.Vector().record(s(0.5)._ref_v) for s in somas]
tvec = h.Vector().record(h._ref_t)
segs = [seg for sec in h.allsec() for seg in sec.allseg()]
v0 = [seg.v for seg in segs]  # hnn-core's v per section: finitialize() without argument keeps it


def init():
    for seg, v in zip(segs, v0):  # a rerun starts from hnn-core's v, not from where the last run ended
        seg.v = v
    h.finitialize()
    h.fcurrent()


def neuron_run(nudged=False):
    if nudged:  # NEURON's own one-ulp run (benchmarks/own_roundoff.py)
        own_roundoff.nudged_run(h, init, nb._PC.psolve, tstop, interval=max(1.0, tstop / 1000))
    else:
        init()
        nb._PC.psolve(h.tstop)
    tv, gv = builder._spike_times, builder._spike_gids
    return (np.array([list(v) for v in vecs]).T,
            {g: [t for t, gg in zip(tv, gv) if int(gg) == g] for g in cap.gids})


t0 = time.time()
nb._PC.set_maxstep(10)
theirs, theirs_spikes = neuron_run()
t_neuron = time.time() - t0
t_samples = np.array(tvec)
rerun, rerun_spikes = neuron_run()
nudged, nudged_spikes = neuron_run(nudged=True)
n = min(len(ours), len(theirs))
dv = np.abs(ours[:n] - theirs[:n])
first = None
for g in sorted(cap.gids):
    a, b = ours_spikes[g], theirs_spikes[g]
    if len(a) != len(b) or any(abs(x - y) > 1e-9 for x, y in zip(a, b)):
        first = (g, a[:5], b[:5])
        break
out = {"mesh": mesh, "tstop": tstop, "cells": len(cells), "gids": len(cap.gids), "sections": len(allsec),
       "nodes": int(sim.layout.nnode), "netcons": len(cap.network.netcons), "artificial": len(cap.network.cells),
       "shape": [list(ours.shape), list(theirs.shape)],
       "max_dv": float(dv.max()), "max_dv_per_cell": [float(x) for x in dv.max(axis=0)],
       "spikes_ours": sum(len(v) for v in ours_spikes.values()), "spikes_theirs": sum(len(v) for v in theirs_spikes.values()),
       "cell_spikes_theirs": sum(len(theirs_spikes[g]) for g in gids),
       "first_differing_spike": first, "times_s": {"build": t_build, "capture": t_capture, "bridge": t_bridge, "neuron": t_neuron}}
judged = own_roundoff.judge(t_samples, ours, theirs, rerun, nudged, theirs_spikes, rerun_spikes, nudged_spikes,
                            [f"cell {k} (gid {g})" for k, g in enumerate(gids)])
out["roundoff"] = judged
print(json.dumps(out))
