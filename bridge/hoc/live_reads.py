"""One value of a live run's state, by HOC name, without laying the whole state out.

HOC reads a few values per step (`soma.v(0.5)`, `cai(0.5)`, `m_hh(0.5)`); `bridge.hoc.initstate.state_values`
lays out every segment's values under their HOC names, which costs per read what the model's size costs.
`segment_value` gives the value `state_values` would give for one name at one segment (the same precedence
where two names coincide: extracellular's, then the mechanisms' in reverse type order, then the ions', then
v), copying from the device only the arrays it reads (kept in `host` for the state's epoch).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bridge.solver.extracellular import E_KEY

_EXT = {"vext0_extracellular": ("vext", 0), "vext1_extracellular": ("vext", 1), "i_membrane_extracellular":
        ("i_membrane", None)}


def segment_value(plan, state: dict, host: dict, sec_name: str, j: int, name: str) -> float | None:
    """The value of `name` (v, `ena`, `m_hh`, ...) at segment j of `sec_name` in `state`; None when
    `state_values(plan, state)` has none there. `host`: numpy copies of the state's arrays, filled as read."""
    node = plan.layout.segment_node(sec_name, j)
    if node is None:
        return None
    if name == "v":  # no name below is `v` (each has a suffix `_mech`, or is an ion's): the node's v
        if ("v",) not in host:
            host[("v",)] = np.asarray(state["v"])
        return float(host[("v",)][node])

    def numpy(key: tuple, array: Any) -> np.ndarray:
        if key not in host:
            host[key] = np.asarray(array)
        return host[key]

    ext = plan.extracellular
    if name == "e_extracellular_extracellular" and E_KEY in state["mech"] and ext.has[node]:
        return float(numpy(("mech", E_KEY, "e"), state["mech"][E_KEY]["e"])[node])
    if name in _EXT and "ext" in state and ext.has[node]:
        key, layer = _EXT[name]
        arr = numpy(("ext", key), state["ext"][key])
        return float(arr[node] if layer is None else arr[layer, node])
    for inst in reversed(plan.mechanisms):
        suffix = "_" + inst.name
        if inst.mechanism.kind != "density" or inst.size == 0 or not name.endswith(suffix):
            continue
        var = name[: -len(suffix)]
        values = state["mech"].get(inst.name, {})
        if var not in values or np.ndim(values[var]) != 1:
            continue
        where = np.flatnonzero(np.asarray(inst.nodes) == node)
        if len(where):
            return float(numpy(("mech", inst.name, var), values[var])[int(where[-1])])
    from bridge.mechanisms import ions as ionlib

    for style in reversed(plan.ions):
        names = ionlib.variable_names(style.ion)
        if style.present[node] and name in (names["e"], names["ci"], names["co"], names["cur"]):
            return float(numpy(("ions", style.ion, name), state["ions"][style.ion][name])[node])
    if name == "v":
        return float(numpy(("v",), state["v"])[node])
    return None
