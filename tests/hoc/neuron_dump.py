"""Run a HOC file in real NEURON (in this subprocess) and print `from_neuron()` as JSON.

Usage: python neuron_dump.py model.hoc [mod_folder_with_compiled_x86_64]
Used by the tests to compare `bridge.load_hoc` with NEURON without sharing
NEURON's global state between models.
"""

import json
import os
import sys


def main() -> None:
    path = os.path.abspath(sys.argv[1])
    os.chdir(os.path.dirname(path))
    from neuron import h

    if len(sys.argv) > 2:
        h.nrn_load_dll(sys.argv[2])
    h.load_file("stdrun.hoc")
    if not h.load_file(path):
        sys.exit(f"NEURON could not load {path}")
    for stmt in sys.argv[3:]:
        h(stmt)
    from bridge.hoc.from_neuron import from_neuron

    tree = from_neuron(h)
    out = {"sections": [], "point_processes": []}
    for s in tree:
        out["sections"].append({
            "name": s.name, "nseg": s.nseg, "L": s.L, "Ra": s.Ra, "diam": list(s.diam), "cm": list(s.cm),
            "parent": s.parent, "parent_x": s.parent_x, "child_end": s.child_end,
            "pt3d": None if s.pt3d is None else s.pt3d.tolist(),
            "arc3d": None if getattr(s, "arc3d", None) is None else s.arc3d.tolist(),
            "children": [c.name for c in tree.children(s.name)],
            "mechanisms": {m: {k: list(v) for k, v in vals.items()} for m, vals in s.mechanisms.items()},
            "area": [h.area(x, sec=h_sec) for h_sec in [sec for sec in h.allsec() if sec.name() == s.name]
                     for x in [(j + 0.5) / s.nseg for j in range(s.nseg)]],
            "ri": [h.ri(x, sec=h_sec) for h_sec in [sec for sec in h.allsec() if sec.name() == s.name]
                   for x in [(j + 0.5) / s.nseg for j in range(s.nseg)]],
        })
    for p in tree.point_processes:
        out["point_processes"].append({"name": p.name, "section": p.section, "x": p.x, "params": p.params})
    out["globals"] = {k: float(getattr(h, k)) for k in ("celsius", "v_init", "tstop", "dt", "secondorder")}
    print("JSON:" + json.dumps(out))


if __name__ == "__main__":
    main()
