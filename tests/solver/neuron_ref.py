"""Run a SectionTree in real NEURON, in a fresh subprocess, and return recorded traces.

The tree is replayed with NEURON's own operations (create, nseg, L, Ra, per-segment
diam and cm, pt3d, connect in the order the tree's connections were made,
insert and range values, point processes, globals), then `finitialize(v_init)`
and `continuerun(tstop)` with Vector.record on every probe. A subprocess keeps
NEURON's global state out of the test process.
"""

from __future__ import annotations

import functools
import json
import math
import subprocess
import sys

import numpy as np

from bridge.morphology.tree import SectionTree

_SCRIPT = r"""
import json, math, sys
from neuron import h
h.load_file("stdrun.hoc")
spec = json.load(sys.stdin)
for dll in spec.get("dlls", []):
    h.nrn_load_dll(dll)
secs = {}
for s in spec["sections"]:
    sec = secs[s["name"]] = h.Section(name=s["name"])
    sec.nseg = s["nseg"]
    sec.Ra = s["Ra"]
    if s["pt3d"]:
        h.pt3dclear(sec=sec)
        for x, y, z, d in s["pt3d"]:
            h.pt3dadd(x, y, z, d, sec=sec)
    else:
        sec.L = s["L"]
        for seg, d in zip(sec, s["diam"]):
            seg.diam = d
    for seg, c in zip(sec, s["cm"]):
        seg.cm = c
for child, child_end, parent, x in spec["connections"]:
    secs[child].connect(secs[parent](x), child_end)
for s in spec["sections"]:
    sec = secs[s["name"]]
    for mech, values in s["mechanisms"].items():
        if not mech.endswith("_ion"):
            sec.insert(mech)
    for mech, values in s["mechanisms"].items():
        for name, per_seg in values.items():
            attr = name if mech.endswith("_ion") else f"{name}_{mech}"
            for seg, val in zip(sec, per_seg):
                if val is not None:
                    setattr(seg, attr, val)
pps = []
for p in spec["point_processes"]:
    obj = getattr(h, p["name"])(secs[p["section"]](p["x"]))
    for k, val in p["params"].items():
        setattr(obj, "delay" if k == "del" else k, val)
    pps.append(obj)
for name, val in spec["globals"].items():
    setattr(h, name, val)
for cmd in spec.get("hoc", []):
    h(cmd)
h.dt = spec["dt"]
h.steps_per_ms = 1.0 / spec["dt"]
h.secondorder = spec["secondorder"]
h.celsius = spec["celsius"]
vecs = []
for sec, x, var in spec["probes"]:
    target = pps[int(sec[3:])] if sec.startswith("pp:") else secs[sec](x)
    vecs.append(h.Vector().record(getattr(target, "_ref_" + var)))
tvec = h.Vector().record(h._ref_t)
h.finitialize(spec["v_init"])
h.continuerun(spec["tstop"])
json.dump({"t": list(tvec), "values": [list(v) for v in vecs]}, sys.stdout)
"""


def _values(arr) -> list:
    return [None if math.isnan(float(v)) else float(v) for v in arr]


def tree_spec(tree: SectionTree) -> dict:
    sections = []
    for sec in tree:
        sections.append({
            "name": sec.name, "nseg": sec.nseg, "L": sec.L, "Ra": sec.Ra,
            "diam": _values(sec.diam), "cm": _values(sec.cm),
            "pt3d": [[float(v) for v in p] for p in sec.pt3d] if sec.has_pt3d() else None,
            "mechanisms": {m: {k: _values(v) for k, v in vals.items()} for m, vals in sec.mechanisms.items()},
        })
    conns = sorted((s for s in tree if s.parent is not None), key=lambda s: s.connect_serial)
    return {
        "sections": sections,
        "connections": [[s.name, s.child_end, s.parent, s.parent_x] for s in conns],
        "point_processes": [{"name": p.name, "section": p.section, "x": p.x, "params": p.params} for p in tree.point_processes],
    }


def run_neuron(tree: SectionTree, probes, *, tstop: float, dt: float = 0.025, secondorder: int = 0,
               celsius: float = 6.3, v_init: float = -65.0, globals: dict | None = None, hoc: list | None = None,
               dlls: list | None = None):
    """Run in NEURON; probes are (section, x, var) or ("pp:<index>", 0, var). Returns (t, values[nsamples, nprobes]).
    `hoc` statements run after the model is built; `dlls` are nrnivmodl libraries to load first."""
    spec = {**tree_spec(tree), "probes": [list(p) for p in probes], "tstop": tstop, "dt": dt,
            "secondorder": secondorder, "celsius": celsius, "v_init": v_init, "globals": globals or {}, "hoc": hoc or [],
            "dlls": [str(d) for d in dlls or []]}
    out = json.loads(_run(json.dumps(spec)))
    return np.array(out["t"]), np.array(out["values"]).T


@functools.lru_cache(maxsize=64)
def _run(spec_json: str) -> str:
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], input=spec_json, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"NEURON failed:\n{proc.stderr}")
    return proc.stdout


def all_node_probes(tree: SectionTree) -> list[tuple[str, float, str]]:
    """v at every node of every section: x = 0, each segment centre, x = 1."""
    probes = []
    for sec in tree:
        for x in [0.0, *((np.arange(sec.nseg) + 0.5) / sec.nseg), 1.0]:
            probes.append((sec.name, float(x), "v"))
    return probes
