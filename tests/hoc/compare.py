"""Compare bridge.load_hoc with NEURON (run in a subprocess) section by section."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

from bridge.hoc.catalog import Catalog, ion_info

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def neuron_dump(path, library: str | None = None) -> dict:
    """NEURON's tree of the HOC file `path` (with the compiled mechanisms `library`), from a fresh
    NEURON process."""
    cmd = [sys.executable, str(HERE / "neuron_dump.py"), str(path)] + ([str(library)] if library else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=str(REPO))
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("JSON:")), None)
    assert line is not None, f"NEURON failed on {path}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return json.loads(line[5:])


def _close(a, b, rel=1e-12, what=""):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} != {b.shape}"
    worst = np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))
    assert np.allclose(a, b, rtol=rel, atol=0.0), f"{what}: {a} != {b} (max rel {worst})"


def compare_trees(model, ref: dict, catalog: Catalog | None = None, rel: float = 1e-12) -> None:
    """Assert that a HocModel's tree equals NEURON's dump (names, order, geometry, mechanisms, areas)."""
    from bridge.morphology.nodes import section_geometry

    catalog = catalog or Catalog()
    tree = model.tree
    assert [s.name for s in tree] == [s["name"] for s in ref["sections"]], "section names or order differ"
    for s, r in zip(tree, ref["sections"]):
        name = s.name
        assert s.nseg == r["nseg"], f"{name}: nseg {s.nseg} != {r['nseg']}"
        _close(s.L, r["L"], rel, f"{name}.L")
        _close(s.Ra, r["Ra"], rel, f"{name}.Ra")
        _close(s.diam, r["diam"], rel, f"{name}.diam")
        _close(s.cm, r["cm"], rel, f"{name}.cm")
        assert s.parent == r["parent"], f"{name}: parent {s.parent} != {r['parent']}"
        if s.parent is not None:
            _close(s.parent_x, r["parent_x"], rel, f"{name}.parent_x")
            _close(s.child_end, r["child_end"], rel, f"{name}.child_end")
        assert [c.name for c in tree.children(name)] == r["children"], f"{name}: children order differs"
        if r["pt3d"] is None:
            assert s.pt3d is None, f"{name}: bridge has 3-D points, NEURON has none"
        else:
            _close(s.pt3d, r["pt3d"], 0.0, f"{name}.pt3d")
            if r.get("arc3d") is None:
                assert getattr(s, "arc3d", None) is None, f"{name}: bridge keeps arcs, NEURON's are the points' own"
            else:
                _close(s.arc3d, r["arc3d"], 0.0, f"{name}.arc3d")
        mine = {m for m in s.mechanisms if not m.endswith("_ion")}
        theirs = {m for m in r["mechanisms"] if not m.endswith("_ion")}
        assert mine == theirs, f"{name}: mechanisms {sorted(mine)} != {sorted(theirs)}"
        for mech, values in r["mechanisms"].items():
            if mech.endswith("_ion"):
                info = ion_info(mech[:-4])
                for var, ref_vals in values.items():
                    ours = s.get_range(mech, var, info.parameters.get(var, math.nan))
                    _close(ours, ref_vals, rel, f"{name}.{var}")
                continue
            info = catalog.get(mech)
            for var, ref_vals in values.items():
                ours = s.get_range(mech, var, info.parameters.get(var, math.nan))
                _close(ours, ref_vals, rel, f"{name}.{var}_{mech}")
        geom = section_geometry(s)
        order = np.arange(s.nseg)[::-1] if s.child_end == 1.0 else np.arange(s.nseg)
        area = np.empty(s.nseg)
        ri = np.empty(s.nseg)
        area[order] = geom.area[: s.nseg]
        ri[order] = 1.0 / geom.rinv[: s.nseg]
        _close(area, r["area"], rel, f"{name}.area")
        if s.parent is not None:
            _close(ri, r["ri"], rel, f"{name}.ri")
    mine = sorted((p.name, p.section, tree[p.section].segment(p.x)) for p in tree.point_processes)
    theirs = sorted((p["name"], p["section"], tree[p["section"]].segment(p["x"])) for p in ref["point_processes"])
    assert mine == theirs, f"point processes differ: {mine} != {theirs}"
    for p in ref["point_processes"]:
        ours = next(q for q in tree.point_processes if q.name == p["name"] and q.section == p["section"])
        info = catalog.get(p["name"])
        for k, v in p["params"].items():
            _close(ours.params.get(k, info.parameters.get(k, 0.0)), v, rel, f"{p['name']}.{k}")
