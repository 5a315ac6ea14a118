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

import numpy as np

from bridge.morphology.tree import SectionTree
from validation.neuron_run import run_spec
from validation.neuron_tree import tree_spec


def run_neuron(tree: SectionTree, probes, *, tstop: float, dt: float = 0.025, secondorder: int = 0,
               celsius: float = 6.3, v_init: float = -65.0, globals: dict | None = None, hoc: list | None = None,
               dlls: list | None = None):
    """Run in NEURON; probes are (section, x, var) or ("pp:<index>", 0, var). Returns (t, values[nsamples, nprobes]).
    `hoc` statements run after the model is built; `dlls` are nrnivmodl libraries to load first.
    Runs are cached by their spec, so tests sharing a reference run NEURON once."""
    spec = {**tree_spec(tree), "probes": [list(p) for p in probes], "tstop": tstop, "dt": dt,
            "secondorder": secondorder, "celsius": celsius, "v_init": v_init, "globals": globals or {},
            "hoc": hoc or [], "libraries": [str(d) for d in dlls or []]}
    t, values = _run(json.dumps(spec))
    return t.copy(), values.copy()


@functools.lru_cache(maxsize=64)
def _run(spec_json: str):
    return run_spec(spec_json)


def all_node_probes(tree: SectionTree) -> list[tuple[str, float, str]]:
    """v at every node of every section: x = 0, each segment centre, x = 1."""
    probes = []
    for sec in tree:
        for x in [0.0, *((np.arange(sec.nseg) + 0.5) / sec.nseg), 1.0]:
            probes.append((sec.name, float(x), "v"))
    return probes
