"""A SectionTree as JSON, and the same tree rebuilt in NEURON from that JSON.

The NEURON runners work in fresh subprocesses (NEURON's global state and loaded
mechanism libraries never reach the caller), so a tree travels as a JSON-able
spec: `tree_spec` writes it on the bridge side, `build_tree` replays it with
NEURON's own operations inside the subprocess (create, L or pt3d, nseg, Ra,
per-segment diam and cm, connect in the order the connections were made,
insert and range values, point processes).
"""

from __future__ import annotations

import numpy as np

from bridge.morphology.tree import is_set


def _values(arr) -> list:
    """Per-segment values with None where not set (masked: the mechanism's default)."""
    set_ = is_set(arr)
    return [float(v) if ok else None for v, ok in zip(np.ma.getdata(arr), set_)]


def tree_spec(tree) -> dict:
    """A JSON-able description of a SectionTree, 3-D points included."""
    sections = []
    for sec in tree:
        sections.append({
            "name": sec.name, "nseg": sec.nseg, "L": sec.L, "Ra": sec.Ra,
            "diam": _values(sec.diam), "cm": _values(sec.cm),
            "pt3d": None if not sec.has_pt3d() else np.asarray(sec.pt3d, float).tolist(),
            "mechanisms": {m: {k: _values(v) for k, v in vals.items()} for m, vals in sec.mechanisms.items()},
            "ion_styles": dict(sec.ion_styles),
        })
    conns = _connect_sequence(tree)
    return {
        "sections": sections,
        "connections": [[s.name, s.child_end, s.parent, s.parent_x] for s in conns],
        "point_processes": [{"name": p.name, "section": p.section, "x": p.x, "params": p.params}
                            for p in tree.point_processes],
    }


def _connect_sequence(tree) -> list:
    """Connections in an order whose replay in NEURON gives the tree's sibling order:
    top-down (a section is connected before its children, so no reversal of a child list
    happens) and each section's children in reverse, since NEURON puts a new child ahead
    of the children at the same position."""
    kids = tree.all_children()
    order, stack = [], [r.name for r in reversed(tree.roots())]
    while stack:
        name = stack.pop()
        order.extend(reversed(kids[name]))
        stack.extend(c.name for c in kids[name])
    return order


def build_tree(h, spec: dict) -> dict:
    """Rebuild `tree_spec`'s tree in NEURON. Returns {"sections": name -> Section,
    "point_processes": [objects in spec order]}; keep it referenced, since sections
    made from Python live only as long as their references."""
    secs = {}
    for s in spec["sections"]:
        sec = secs[s["name"]] = h.Section(name=s["name"])
        if s["pt3d"]:
            h.pt3dclear(sec=sec)
            for x, y, z, d in s["pt3d"]:
                h.pt3dadd(x, y, z, d, sec=sec)
        else:
            sec.L = s["L"]
        sec.nseg = s["nseg"]
        sec.Ra = s["Ra"]
        for seg, d, c in zip(sec, s["diam"], s["cm"]):
            if not s["pt3d"] and d is not None:
                seg.diam = d
            if c is not None:
                seg.cm = c
    for child, child_end, parent, x in spec["connections"]:
        secs[child].connect(secs[parent](x), child_end)
    for s in spec["sections"]:
        sec = secs[s["name"]]
        for mech in s["mechanisms"]:
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
    for s in spec["sections"]:  # last: inserting a mechanism promotes the style again (eion.cpp nrn_promote)
        for ion, bits in s.get("ion_styles", {}).items():
            h.ion_style(f"{ion}_ion", bits & 0o3, (bits >> 3) & 0o3, (bits >> 5) & 1, (bits >> 6) & 1, (bits >> 2) & 1,
                        sec=secs[s["name"]])
    return {"sections": secs, "point_processes": pps}
