"""What `capture_neuron` reads of a live NEURON session besides its structure: each node's v, and the
event times a VecStim plays.

NEURON's `finitialize()` without an argument keeps each node's v (fadvance.cpp `finitialize`: `setv` is
false), so a session that sets v per section (hnn-core: `sec.v = v0`) and calls it starts from those
values; `node_voltages` reads them for `Model(v_init=...)`. A VecStim (NEURON's vecevent.mod, as models
ship it) keeps its Vector in a C pointer that Python cannot read (nor its ASSIGNED `index` and `etime`),
so the session names each VecStim's Vector (`vecstim_times`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.morphology.nodes import node_layout
from bridge.morphology.tree import SectionTree


def node_voltages(h, tree: SectionTree, name_of) -> np.ndarray:
    """v [mV] of every node of `tree` (node_layout order), read from NEURON's sections (`sec.allseg()`:
    the 0 end, the segment centres and the 1 end; `name_of(sec)` is the section's name in `tree`)."""
    layout = node_layout(tree)
    v = np.full(layout.nnode, np.nan)
    for sec in h.allsec():
        name = name_of(sec)
        for seg in sec.allseg():
            v[layout.node(name, float(seg.x))] = float(seg.v)
    if np.isnan(v).any():  # every node is some section's 0 end, centre or 1 end
        raise BridgeError(f"capture_neuron: node {int(np.flatnonzero(np.isnan(v))[0])} has no v in NEURON")
    return v


def vecstim_times(vs, played: Mapping) -> list[float]:
    """The event times [ms] the VecStim `vs` plays: `played[vs]` (an `h.Vector` or a sequence; keys are the
    VecStim objects, or their `hname()`). NEURON keeps the Vector of `vs.play(vec)` in a C pointer (a
    BBCOREPOINTER) that its interpreter and Python cannot read, so the session must say it."""
    by_name = {key if isinstance(key, str) else key.hname(): times for key, times in played.items()}
    if vs.hname() in by_name:
        return [float(x) for x in by_name[vs.hname()]]
    raise UnsupportedFeature(f"capture_neuron: {vs.hname()}: the times a VecStim plays (vs.play(vec)) are a C "
                             "pointer that Python cannot read; pass them: capture_neuron(h, vecstims={vs: vec, ...})")
