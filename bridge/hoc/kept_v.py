"""The v NEURON keeps on each node, which `finitialize()` without an argument starts from.

NEURON's `finitialize(v)` sets every node to v; without an argument it leaves each node's v as
it is (fadvance.cpp `nrn_finitialize`: v is set only when `setv` is true). A node's v is then
NEURON's default for a new node (-65 mV), what HOC assigned (`soma.v(0.5) = -40`, `forall v = -50`),
or where the last run left it. bridge keeps the HOC assignments made before the first
`finitialize()` (`note`) and reads the live run's state after it (`node_voltages`).

A section-wide assignment `sec.v = value` sets all of `sec.allseg()`: its 0 end (the parent's node),
its segment centres and its 1 end; `sec.v(x) = value` sets the node NEURON uses for x
(`NodeLayout.node`: x = 0 and 1 are the end nodes).
"""

from __future__ import annotations

import numpy as np

from bridge.morphology.nodes import NodeLayout, node_layout

DEFAULT_V = -65.0  # [mV] v of a new node (NEURON's DEF_vrest)


def note(model, sec_name: str, nseg: int, x: float | None, value: float) -> None:
    """HOC assigned v before any `finitialize()`: `x` None for the whole section."""
    model.v_writes.append((sec_name, nseg, x, float(value)))


def same(a, b) -> bool:
    """Two v_init values (a float or one per node) are the same."""
    return bool(np.array_equal(np.asarray(a, float), np.asarray(b, float)))


def node_voltages(model, tree) -> float | np.ndarray:
    """v [mV] of every node of `tree` (node_layout order) as NEURON keeps it; one float when all are equal."""
    layout = node_layout(tree)
    live = model.live
    live.flush()  # a pending run is simulated first: its v is the one kept
    if live.state is not None and live.plan is not None:
        v = _from_run(layout, live.plan.layout, np.asarray(live.state["v"], float))
    else:
        v = _from_writes(layout, model.v_writes)
    return float(v[0]) if v.size and (v == v[0]).all() else v


def end_value(model, tree, sec_name: str, x: float) -> float:
    """v [mV] of the end node `sec_name(x)` (x = 0 or 1) before the first `finitialize()`."""
    layout = node_layout(tree)
    return float(_from_writes(layout, model.v_writes)[layout.node(sec_name, x)])


def _section_nodes(layout: NodeLayout, name: str) -> list[tuple[int, float]]:
    """(node, x) of `name`'s 0 end, segment centres and 1 end (`sec.allseg()`)."""
    s = layout.section_index(name)
    nseg = int(layout.nseg[s])
    xs = [0.0, *((j + 0.5) / nseg for j in range(nseg)), 1.0]
    return [(layout.node(name, x), x) for x in xs]


def _from_run(layout: NodeLayout, old: NodeLayout, v_old: np.ndarray) -> np.ndarray:
    """Each node's v in the last run (`old` layout), found by section and position; new nodes -65 mV."""
    v = np.full(layout.nnode, DEFAULT_V)
    known = set(old.section_names)
    for name in layout.section_names:
        if name in known:
            for node, x in _section_nodes(layout, name):
                v[node] = v_old[old.node(name, x)]
    return v


def _from_writes(layout: NodeLayout, writes) -> np.ndarray:
    """-65 mV on every node, then HOC's assignments in order (those to a section whose nseg changed since
    are gone, as bridge keeps no v across an nseg change)."""
    v = np.full(layout.nnode, DEFAULT_V)
    names = set(layout.section_names)
    for name, nseg, x, value in writes:
        if name not in names or int(layout.nseg[layout.section_index(name)]) != nseg:
            continue
        if x is None:
            v[[node for node, _ in _section_nodes(layout, name)]] = value
        else:
            v[layout.node(name, x)] = value
    return v
