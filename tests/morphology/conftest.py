"""Build the same model in a SectionTree and in real NEURON (in a subprocess), and read NEURON's geometry back.

A `Recipe` records NEURON operations (create, nseg, L, diam per segment, Ra, cm, pt3d,
connect) in order; `recipe.tree()` replays them on a SectionTree and
`neuron_geometry(recipe)` replays them in a fresh NEURON process and returns, for every
section, L and per `allseg()` location x: NEURON's node index, area, ri and diam, and
then (`shape`) its 3-D points after `h.define_shape()`.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from bridge.morphology.tree import SectionTree

_NEURON_SCRIPT = r"""
import json, sys
from neuron import h
spec = json.load(sys.stdin)
secs = {}
for op in spec:
    kind = op[0]
    if kind == "create":
        secs[op[1]] = h.Section(name=op[1])
    elif kind == "nseg":
        secs[op[1]].nseg = op[2]
    elif kind == "L":
        secs[op[1]].L = op[2]
    elif kind == "Ra":
        secs[op[1]].Ra = op[2]
    elif kind == "diam":
        for seg, d in zip(secs[op[1]], op[2]):
            seg.diam = d
    elif kind == "cm":
        for seg, c in zip(secs[op[1]], op[2]):
            seg.cm = c
    elif kind == "pt3d":
        sec = secs[op[1]]
        h.pt3dclear(sec=sec)
        for x, y, z, d in op[2]:
            h.pt3dadd(x, y, z, d, sec=sec)
    elif kind == "connect":
        _, child, child_end, parent, x = op
        secs[child].connect(secs[parent](x), child_end)
    elif kind == "disconnect":
        h.disconnect(sec=secs[op[1]])
    else:
        raise ValueError(kind)
h.finitialize(-65)
out = {}
for name, sec in secs.items():
    segs = []
    for seg in sec.allseg():
        segs.append({"x": seg.x, "node": seg.node_index(), "area": seg.area(), "ri": seg.ri(),
                     "diam": seg.diam, "cm": seg.cm})
    out[name] = {"L": sec.L, "nseg": sec.nseg, "segs": segs, "orientation": sec.orientation()}
h.define_shape()  # after the geometry above: it gives every section 3-D points
for name, sec in secs.items():
    out[name]["shape"] = [[sec.x3d(i), sec.y3d(i), sec.z3d(i), sec.diam3d(i)] for i in range(sec.n3d())]
sys.stdout.write("\n@@GEOMETRY@@" + json.dumps(out) + "\n")  # NEURON prints notices on stdout too
"""


@dataclass
class Recipe:
    """NEURON operations in order, replayable on a SectionTree and in NEURON."""

    ops: list = field(default_factory=list)

    def create(self, name, nseg=1, L=None, diam=None, Ra=None, cm=None, pt3d=None):
        self.ops.append(["create", name])
        if nseg != 1:
            self.ops.append(["nseg", name, int(nseg)])
        if L is not None:
            self.ops.append(["L", name, float(L)])
        if Ra is not None:
            self.ops.append(["Ra", name, float(Ra)])
        if diam is not None:
            d = [float(diam)] * nseg if not hasattr(diam, "__len__") else [float(v) for v in diam]
            self.ops.append(["diam", name, d])
        if cm is not None:
            c = [float(cm)] * nseg if not hasattr(cm, "__len__") else [float(v) for v in cm]
            self.ops.append(["cm", name, c])
        if pt3d is not None:
            self.ops.append(["pt3d", name, [[float(v) for v in p] for p in pt3d]])
        return self

    def connect(self, child, parent, x=1.0, child_end=0):
        self.ops.append(["connect", child, int(child_end), parent, float(x)])
        return self

    def disconnect(self, name):
        self.ops.append(["disconnect", name])
        return self

    def tree(self) -> SectionTree:
        tree = SectionTree()
        for op in self.ops:
            kind, name = op[0], op[1]
            if kind == "create":
                tree.section(name)
            elif kind == "nseg":
                tree[name].set_nseg(op[2])
            elif kind == "L":
                tree[name].L = op[2]
            elif kind == "Ra":
                tree[name].Ra = op[2]
            elif kind == "diam":
                tree[name].diam[:] = op[2]
            elif kind == "cm":
                tree[name].cm[:] = op[2]
            elif kind == "pt3d":
                tree.set_pt3d(name, op[2])
            elif kind == "connect":
                tree.connect(op[1], op[3], parent_x=op[4], child_end=op[2])
            elif kind == "disconnect":
                tree.disconnect(name)
        return tree


def run_neuron_geometry(recipe: Recipe) -> dict:
    """Replay `recipe` in a fresh NEURON process (no shared NEURON state between models)."""
    return json.loads(_run_neuron(json.dumps(recipe.ops)))


@functools.lru_cache(maxsize=32)
def _run_neuron(ops_json: str) -> str:
    return _run(_NEURON_SCRIPT, ops_json)


@pytest.fixture
def neuron_geometry():
    pytest.importorskip("neuron")
    return run_neuron_geometry


_NEURON_PASSIVE = r"""
import json, sys
from neuron import h
cfg = json.load(sys.stdin)
exec(cfg["build"])  # the geometry script above, up to the measurements
secs = {s.name(): s for s in h.allsec()}
for sec in secs.values():
    sec.insert("pas")
    for seg in sec:
        seg.pas.g = cfg["g_pas"]
        seg.pas.e = -70.0
stims = []
for name, x, amp in cfg["clamps"]:
    st = h.IClamp(secs[name](x))
    st.delay, st.dur, st.amp = 0.0, 1e9, amp
    stims.append(st)
h.dt = cfg["dt"]
h.finitialize(-65)
trace = []
for _ in range(cfg["nsteps"]):
    h.fadvance()
    v = {}
    for sec in secs.values():
        for seg in sec.allseg():
            v[seg.node_index()] = seg.v
    trace.append([v[i] for i in range(len(v))])
sys.stdout.write("\n@@GEOMETRY@@" + json.dumps(trace) + "\n")
"""


def run_neuron_passive(recipe: Recipe, clamps, nsteps: int, dt: float = 0.025, g_pas: float = 1e-3) -> list:
    """Voltage at every node (NEURON's node order) after each of `nsteps` fixed steps of the
    recipe with `pas` everywhere and constant IClamps `clamps` = [(section, x, nA)]."""
    build = _NEURON_SCRIPT.split("h.finitialize(-65)")[0].replace("spec = json.load(sys.stdin)", "spec = SPEC")
    payload = {"build": f"SPEC = {json.dumps(recipe.ops)}\n" + build, "clamps": clamps, "nsteps": nsteps,
               "dt": dt, "g_pas": g_pas}
    out = _run(_NEURON_PASSIVE, json.dumps(payload))
    return json.loads(out)


def _run(script: str, stdin: str) -> str:
    proc = subprocess.run([sys.executable, "-c", script], input=stdin, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"NEURON failed:\n{proc.stderr}")
    return proc.stdout.split("@@GEOMETRY@@")[-1]


_NEURON_EXTRACT = r"""
import json, sys
from neuron import h
cfg = json.load(sys.stdin)
h.load_file(cfg["path"])
h(cfg["after"])
ops = []
secs = list(h.allsec())  # creation order
for sec in secs:
    name = sec.name()
    ops.append(["create", name])
    ops.append(["nseg", name, sec.nseg])
    ops.append(["Ra", name, sec.Ra])
    if sec.n3d():
        ops.append(["pt3d", name, [[sec.x3d(i), sec.y3d(i), sec.z3d(i), sec.diam3d(i)] for i in range(sec.n3d())]])
    else:
        ops.append(["L", name, sec.L])
        ops.append(["diam", name, [seg.diam for seg in sec]])
# Connect top-down, each parent's children in reverse sibling order, so the replay ends
# with NEURON's sibling lists.
queue = [s for s in secs if h.SectionRef(sec=s).has_parent() == 0]
while queue:
    sec = queue.pop(0)
    ref = h.SectionRef(sec=sec)
    kids = [ref.child[i] for i in range(int(ref.nchild()))]
    for kid in reversed(kids):
        ops.append(["connect", kid.name(), int(kid.orientation()), sec.name(), kid.parentseg().x])
    queue.extend(kids)
sys.stdout.write("\n@@GEOMETRY@@" + json.dumps(ops) + "\n")
"""


def recipe_from_hoc(path: str, after: str = "") -> Recipe:
    """The geometry of a HOC model file as NEURON builds it, as a Recipe (pt3d, nseg, Ra,
    connections) that recreates NEURON's sections, connections and sibling order."""
    return Recipe(ops=json.loads(_run(_NEURON_EXTRACT, json.dumps({"path": path, "after": after}))))
