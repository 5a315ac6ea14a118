"""What to record: NEURON-style probes resolved to gathers on the state.

A probe names one value at one place, the way NEURON users write it:
- `"soma(0.5).v"` or `("soma", 0.5)` or `("soma", 0.5, "v")`: membrane potential
  [mV] at the node NEURON uses for soma(0.5) (x=0 and x=1 are the end nodes);
- `"soma(0.5).m_hh"`, `("soma", 0.5, "gna_hh")`: a mechanism variable
  (`<name>_<suffix>`: STATE, kept ASSIGNED or RANGE parameter);
- `"soma(0.5).ina"`, `"dend(1).ena"`, `"nai"`: ion variables at that node;
- `"axon(0.5).vext[0]"`, `"vext[1]"`, `"i_membrane"`: NEURON's extracellular layers [mV] and membrane
  current [mA/cm2] where extracellular is inserted;
- `(point_process, "i")`: a point process variable (the object that
  `SectionTree.add_point_process` returned).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError
from bridge.mechanisms import ions as ionlib
from bridge.morphology.tree import PointProcess, segment_index
from bridge.solver import extracellular
from bridge.solver.plan import Plan

_PROBE = re.compile(r"^\s*(?P<sec>[^()]+?)\s*\(\s*(?P<x>[^()]+)\s*\)\s*\.\s*(?P<var>\w+(?:\[\d\])?)\s*$")
# A point process by its label, as HOC names it: "SEClamp[0].i"
_PP_PROBE = re.compile(r"^\s*(?P<cls>[A-Za-z_]\w*)\[(?P<i>\d+)\]\s*\.\s*(?P<var>\w+)\s*$")


@dataclass(frozen=True)
class Source:
    """One resolved probe: where to read (kind, container keys, index)."""

    label: str
    kind: str  # "v", "ion", "state", "param", "ext" (extracellular: ("vext", layer) or ("i_membrane",))
    keys: tuple[str, ...]
    index: int


def probe_label(section: str, x: float, variable: str = "v") -> str:
    """The label of the probe `variable` at `section(x)`, e.g. "soma(0.5).v"; x is written exactly
    (Python's shortest round-trip form), so `parse_probe` reads back the same x."""
    return f"{section}({float(x)!r}).{variable}"


def _label(probe: Any) -> str:
    if isinstance(probe, str):
        return probe.strip()
    if isinstance(probe, tuple) and probe and isinstance(probe[0], PointProcess):
        pp = probe[0]
        return f"{pp.label or pp.name}[{pp.section}({pp.x:g})].{probe[1]}"
    sec, x, *var = probe
    return probe_label(sec, x, var[0] if var else "v")


def parse_probe(text: str) -> tuple[str, float, str]:
    """`"dend[2](0.25).m_hh"` -> ("dend[2]", 0.25, "m_hh")."""
    m = _PROBE.match(text)
    if not m:
        raise BridgeError(f"cannot read probe {text!r}: expected 'section(x).variable', e.g. 'soma(0.5).v'")
    try:
        x = float(m["x"])
    except ValueError:
        raise BridgeError(f"probe {text!r}: {m['x']!r} is not a number") from None
    return m["sec"], x, m["var"]


def parse_point_process_probe(text: str) -> tuple[str, int, str] | None:
    """`"SEClamp[0].i"` (a point process's variable, by HOC's object name) -> ("SEClamp", 0, "i");
    None for any other probe."""
    m = _PP_PROBE.match(text)
    return (m["cls"], int(m["i"]), m["var"]) if m else None


def _split(probe: Any) -> tuple[str, float, str]:
    if isinstance(probe, str):
        return parse_probe(probe)
    if isinstance(probe, tuple) and len(probe) in (2, 3):
        return str(probe[0]), float(probe[1]), str(probe[2]) if len(probe) == 3 else "v"
    raise BridgeError(f"cannot read probe {probe!r}: use 'soma(0.5).v', ('soma', 0.5), ('soma', 0.5, 'm_hh') "
                      "or (point_process, 'i')")


def resolve(plan: Plan, probe: Any) -> Source:
    """Resolve one probe against a plan; unknown names raise a BridgeError that lists what exists."""
    label = _label(probe)
    named = parse_point_process_probe(probe) if isinstance(probe, str) else None
    if named is not None:
        cls, i, var = named
        probe = (_point_process(plan, f"{cls}[{i}]", label), var)
    if isinstance(probe, tuple) and probe and isinstance(probe[0], PointProcess):
        pp, var = probe[0], str(probe[1])
        inst = plan.instances(pp.name)
        idx = [i for i, q in enumerate(inst.point_processes) if q is pp]
        if not idx:
            raise BridgeError(f"probe {label}: this {pp.name} is not part of the model")
        return _mech_source(plan, inst.name, var, idx[0], label)
    sec, x, var = _split(probe)
    lay = plan.layout
    node = lay.node(sec, x)  # raises for an unknown section or x outside [0, 1]
    if var == "v":
        return Source(label, "v", (), node)
    if var in EXT_PROBES or var.endswith("_" + extracellular.NAME):  # bridge.solver.extracellular
        return _ext_source(plan, EXT_PROBES.get(var, var), node, label, f"{sec}({x:g})")
    for style in plan.ions:
        names = ionlib.variable_names(style.ion)
        if var in (names["e"], names["ci"], names["co"], names["cur"]):
            if not style.present[node]:
                raise BridgeError(f"probe {label}: {style.ion}_ion is not present at {sec}({x:g})")
            return Source(label, "ion", (style.ion, var), node)
    for inst in plan.mechanisms:
        suffix = "_" + inst.name
        if var.endswith(suffix) and inst.mechanism.kind == "density":
            seg_node = int(lay.segment_nodes(sec)[segment_index(x, lay.nseg[lay.section_index(sec)])])
            where = np.flatnonzero(inst.nodes == seg_node)
            if not len(where):
                raise BridgeError(f"probe {label}: {inst.name} is not inserted in {sec}")
            return _mech_source(plan, inst.name, var[: -len(suffix)], int(where[0]), label)
    mechanisms = ", ".join(i.name for i in plan.mechanisms) or "no mechanism"
    raise BridgeError(f"probe {label}: no variable {var!r} at {sec}({x:g}) "
                      f"(v, ion variables, or <name>_<mechanism> of {mechanisms})")


# NEURON's names of extracellular's computed values, also as HOC's range variables name them to bridge
EXT_PROBES = {"vext[0]": "vext0", "vext[1]": "vext1", "i_membrane": "i_membrane",
              "vext0_extracellular": "vext0", "vext1_extracellular": "vext1", "i_membrane_extracellular": "i_membrane"}


def _ext_source(plan: Plan, var: str, node: int, label: str, where: str) -> Source:
    """vext[k] and i_membrane (state["ext"]) or a parameter (`e_extracellular_extracellular`) at `node`."""
    ep = plan.extracellular
    if ep is None or not ep.has[node]:
        raise BridgeError(f"probe {label}: extracellular is not inserted at {where}")
    if var in ("vext0", "vext1"):
        return Source(label, "ext", ("vext", var[4]), node)
    if var == "i_membrane":
        return Source(label, "ext", ("i_membrane",), node)
    key = var[: -len(extracellular.NAME) - 1]
    if key not in extracellular.DEFAULTS:
        raise BridgeError(f"probe {label}: extracellular has no variable {key!r}")
    return Source(label, "param", (extracellular.NAME, key), int(np.flatnonzero(ep.nodes == node)[0]))


def _point_process(plan: Plan, name: str, label: str) -> PointProcess:
    """The point process labelled `name` (e.g. "SEClamp[0]", as HOC names it)."""
    found = [pp for inst in plan.mechanisms for pp in inst.point_processes if pp.label == name]
    if not found:
        named = [pp.label for inst in plan.mechanisms for pp in inst.point_processes if pp.label]
        raise BridgeError(f"probe {label}: no point process labelled {name!r} "
                          f"(labelled: {', '.join(named) or 'none'})")
    return found[0]


def _mech_source(plan: Plan, mech: str, var: str, index: int, label: str) -> Source:
    m = plan.instances(mech).mechanism
    if var in m.state_defaults:
        return Source(label, "state", (mech, var), index)
    if var in m.range_parameters:
        return Source(label, "param", (mech, var), index)
    raise BridgeError(f"probe {label}: {mech} has no variable {var!r} "
                      f"(it has {', '.join(list(m.state_defaults) + list(m.range_parameters))})")


def recorder(plan: Plan, probes: Sequence[Any]):
    """(labels, record) where record(state, params) returns the probes' values as one 1-D array."""
    sources = [resolve(plan, p) for p in probes]
    v_pos = [i for i, s in enumerate(sources) if s.kind == "v"]
    v_idx = np.array([sources[i].index for i in v_pos], dtype=np.int32)
    other = [i for i, s in enumerate(sources) if s.kind != "v"]
    order = np.argsort(np.array(v_pos + other, dtype=np.int64)) if sources else np.zeros(0, np.int64)

    def record(state: dict, params: dict):
        parts = [state["v"][v_idx]] if len(v_pos) else []
        for i in other:
            s = sources[i]
            if s.kind == "ion":
                val = state["ions"][s.keys[0]][s.keys[1]][s.index]
            elif s.kind == "ext":
                arr = state["ext"][s.keys[0]]
                val = arr[int(s.keys[1]), s.index] if len(s.keys) == 2 else arr[s.index]
            elif s.kind == "state":
                val = state["mech"][s.keys[0]][s.keys[1]][s.index]
            else:
                val = params["mechanisms"][s.keys[0]][s.keys[1]][s.index]
            parts.append(jnp.reshape(val, (1,)).astype(state["v"].dtype))
        if not parts:
            return jnp.zeros((0,), state["v"].dtype)
        values = jnp.concatenate(parts)
        return values if len(v_pos) == len(sources) else values[order]

    return tuple(s.label for s in sources), record
