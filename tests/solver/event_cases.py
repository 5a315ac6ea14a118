"""One event-network case, built both in real NEURON (a subprocess, NEURON's own built-in ExpSyn,
Exp2Syn, NetStim, hh, pas) and in bridge (bridge's `.mod` files), from the same plain description.

case = {"sections": [{"name", "L", "diam", "nseg", "Ra", "insert": {mech: {param: value}}, "parent": [name, x]}],
        "points": [[mechanism, section, x, {param: value}]],
        "cells": [[mechanism, {param: value}] or [mechanism, {param: value}, {"ids": [a, b, c], "seq": s}]],
        "netcons": [{"source": ["v", sec, x] | ["cell", i] | ["point", i] | ["point", i, var] | None,
                     "target": ["point", i] | ["cell", i] | None, "weight": [...], "delay", "threshold",
                     "record": bool}],
        "probes": [[section, x, var]], "tstop", "dt", "celsius", "v_init", "mod": folder of extra .mod}
A list as a cell's parameter value is a VecStim's times (NEURON: `vs.play(vec)`).
A cell's third entry sets its RANDOM stream `ranvar` as NEURON's `cell.ranvar.set_ids(a, b, c)` then
`.set_seq(s)` (or, with "noiseFromRandom123": [a, b, c], NetStim's `noiseFromRandom123(a, b, c)`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from bridge.model import Model, Simulation
from bridge.morphology.tree import SectionTree
from bridge.solver.network import ArtificialCell, NetCon, Network

_NEURON_SCRIPT = r'''
import json, sys
from neuron import h
case = json.loads(open(sys.argv[1]).read())
if case.get("dll"):
    h.nrn_load_dll(case["dll"])
secs = {}
for s in case["sections"]:
    sec = h.Section(name=s["name"])
    sec.L, sec.diam, sec.nseg, sec.Ra = s["L"], s["diam"], s.get("nseg", 1), s.get("Ra", 35.4)
    for m, vals in s.get("insert", {}).items():
        sec.insert(m)
        for seg in sec:
            for k, v in vals.items():
                setattr(seg, k + "_" + m, v)
    secs[s["name"]] = sec
for s in case["sections"]:
    if s.get("parent"):
        secs[s["name"]].connect(secs[s["parent"][0]](s["parent"][1]), 0)
pps = []
for name, sec, x, vals in case["points"]:
    pp = getattr(h, name)(secs[sec](x))
    for k, v in vals.items():
        setattr(pp, k, v)
    pps.append(pp)
cells, played = [], []
for name, vals, *extra in case["cells"]:
    c = getattr(h, name)()
    for k, v in vals.items():
        if isinstance(v, list):  # a VecStim's times: vs.play(vec)
            played.append(h.Vector(v))
            c.play(played[-1])
        else:
            setattr(c, k, v)
    for op, arg in (extra[0] if extra else {}).items():
        if op == "ids":
            c.ranvar.set_ids(*arg)
        elif op == "seq":
            c.ranvar.set_seq(arg)
        else:
            getattr(c, op)(*arg)
    cells.append(c)
ncs, recs = [], []
for d in case["netcons"]:
    tgt = None if d["target"] is None else (pps if d["target"][0] == "point" else cells)[d["target"][1]]
    src = d["source"]
    if src is None:
        nc = h.NetCon(None, tgt)
    elif src[0] == "v":
        nc = h.NetCon(secs[src[1]](src[2])._ref_v, tgt, sec=secs[src[1]])
    elif src[0] == "point" and len(src) == 3:  # a threshold on a point process's variable: &pp.x
        pp = pps[src[1]]
        nc = h.NetCon(getattr(pp, "_ref_" + src[2]), tgt, sec=pp.get_segment().sec)
    elif src[0] == "point":
        nc = h.NetCon(pps[src[1]], tgt)
    else:
        nc = h.NetCon(cells[src[1]], tgt)
    for j, w in enumerate(d.get("weight", [])):
        nc.weight[j] = w
    nc.delay = d.get("delay", 1.0)
    if "threshold" in d:
        nc.threshold = d["threshold"]
    if d.get("record"):
        vec = h.Vector()
        nc.record(vec)
        recs.append(vec)
    ncs.append(nc)
h.dt = case["dt"]
for k, v in case.get("globals", {}).items():
    setattr(h, k, v)
h.celsius = case.get("celsius", 6.3)
probes = []
for sec, x, var in case["probes"]:
    vec = h.Vector()
    vec.record(getattr(secs[sec](x), "_ref_" + var))
    probes.append(vec)
h.finitialize(case.get("v_init", -65.0))
for _ in range(case["nsteps"]):
    h.fadvance()
json.dump({"values": [list(v) for v in probes], "spikes": [list(v) for v in recs],
           "weights": [[nc.weight[j] for j in range(int(nc.wcnt()))] for nc in ncs]}, open(sys.argv[2], "w"))
'''


def build(case: dict, mechanisms=None) -> Simulation:
    tree = SectionTree()
    for s in case["sections"]:
        sec = tree.section(s["name"], L=s["L"], diam=s["diam"], nseg=s.get("nseg", 1), Ra=s.get("Ra", 35.4))
        for m, vals in s.get("insert", {}).items():
            sec.insert(m, **vals)
    for s in case["sections"]:
        if s.get("parent"):
            tree.connect(s["name"], s["parent"][0], s["parent"][1])
    for name, sec, x, vals in case["points"]:
        tree.add_point_process(name, sec, x, **vals)
    net = Network(cells=tuple(ArtificialCell(c[0], dict(c[1]), randoms=_randoms(c[2:])) for c in case["cells"]),
                  netcons=tuple(NetCon(None if d["source"] is None else tuple(d["source"]),
                                       None if d["target"] is None else tuple(d["target"]),
                                       tuple(d.get("weight", [0.0])), d.get("delay", 1.0),
                                       d.get("threshold", 10.0), record=d.get("record", False))
                                for d in case["netcons"]))
    model = Model(tree, mechanisms=mechanisms or {}, dt=case["dt"], tstop=case["tstop"],
                  celsius=case.get("celsius", 6.3), v_init=case.get("v_init", -65.0), network=net,
                  globals=dict(case.get("globals", {})))
    return Simulation(model, record=[f"{s}({x}).{v}" for s, x, v in case["probes"]])


def _randoms(extra) -> dict:
    """The case's stream settings as ArtificialCell.randoms (ids, seq; noiseFromRandom123 sets ids and seq 0)."""
    if not extra:
        return {}
    d = extra[0]
    if "noiseFromRandom123" in d:
        return {"ranvar": (*d["noiseFromRandom123"], 0)}
    return {"ranvar": (*d["ids"], d["seq"]) if "seq" in d else tuple(d["ids"])}


def run_neuron(case: dict, nsteps: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "case.json"), os.path.join(tmp, "out.json")
        with open(src, "w") as f:
            json.dump({**case, "nsteps": nsteps}, f)
        proc = subprocess.run([sys.executable, "-c", _NEURON_SCRIPT, src, out], capture_output=True, text=True,
                              timeout=300, cwd=tmp)
        assert proc.returncode == 0, proc.stderr[-3000:]
        with open(out) as f:
            got = json.load(f)
    got["values"] = np.asarray(got["values"]).T
    return got


def compare(case: dict, mechanisms=None):
    """(max |dV| per probe, bridge spike trains, NEURON's spike trains, bridge Traces, NEURON result)."""
    sim = build(case, mechanisms)
    traces = sim.run()
    ref = run_neuron(case, sim.nsteps)
    ours = np.asarray(traces.values)
    assert ours.shape == ref["values"].shape, (ours.shape, ref["values"].shape)
    dv = np.max(np.abs(ours - ref["values"]), axis=0)
    spikes = [traces.spikes(i) for i in range(len(traces.spike_labels))]
    return dv, spikes, [np.asarray(s) for s in ref["spikes"]], traces, ref
