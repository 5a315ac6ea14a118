"""Writes through a POINTER: a mechanism's INITIAL or a BEFORE/AFTER block (analysis.usage) assigns `ex`, and NEURON
writes the variable `ex` points at (nocmodl: `#define ex *_ppvar[k]`), which every later reader sees.

bridge writes the target when the block returns (its instances run together, NEURON's one by one: the same as
long as no instance reads what another writes in that block; two instances writing one target are refused).
Targets bridge writes: a mechanism's kept variable (a STATE or ASSIGNED: `state["mech"][owner]`, read by the
next block as NEURON's memory would be) and a segment's `e_extracellular` (the xtra pattern: McIntyre/Grill,
Carnevale's xtra.mod), which the run then carries in `state["mech"][extracellular.E_KEY]["e"]` (nnode,) from
finitialize on: the extracellular system of the step reads it (solver.extracellular `assemble`), and a
mechanism's GLOBAL ASSIGNED (kind "global": NEURON's one double; bridge keeps it in every instance of its owner
and a write sets them all). Other targets (v, an ion variable, a PARAMETER) are refused by name.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax.numpy as jnp
import numpy as np

from bridge.errors import UnsupportedFeature
from bridge.solver import extracellular
from bridge.solver.extracellular import ExtPlan

E_VAR = "e_extracellular"


def _written(inst: Any) -> tuple[str, ...]:
    blocks = getattr(inst.mechanism, "pointer_writes", {}) or {}
    return tuple(dict.fromkeys(n for names in blocks.values() for n in names))


def check(instances: list, ext: ExtPlan | None) -> ExtPlan | None:
    """Refuse writes bridge does not run; return `ext` (an ExtPlan or None) marked `carried_e` when a POINTER
    reads or writes e_extracellular."""
    carried = False
    targets: dict[tuple, str] = {}
    for inst in instances:
        for sources in (inst.pointers or {}).values():
            carried = carried or any(s.kind == "ext" and s.var == E_VAR for s in sources)
        for name in _written(inst):
            for src in (inst.pointers or {}).get(name, ()):
                if not (src.kind in ("state", "global") or (src.kind == "ext" and src.var == E_VAR)):
                    what = f"{src.var}_{src.owner}" if src.owner else src.var or src.kind
                    raise UnsupportedFeature(f"{inst.name} assigns through POINTER {name}, which points at {what}: "
                                             "bridge writes through a POINTER to a mechanism's STATE or ASSIGNED "
                                             "(a GLOBAL ASSIGNED too) and to e_extracellular only")
                for i in np.asarray(src.index).tolist():
                    key = (src.kind, src.owner, src.var, i)
                    if key in targets:
                        raise UnsupportedFeature(f"{inst.name} and {targets[key]} write through POINTERs to one "
                                                 f"{src.var} (NEURON keeps the last write in its instance order; "
                                                 "bridge writes the instances together)")
                    targets[key] = inst.name
    if ext is not None and carried:
        if ext.nodes.size:
            for inst in instances:
                for sources in (inst.pointers or {}).values():
                    for s in sources:
                        if s.kind == "ext" and not np.all(ext.has[np.asarray(s.index)]):
                            raise UnsupportedFeature(f"a POINTER of {inst.name} points at {s.var} of a segment "
                                                     "without extracellular")
        return dataclasses.replace(ext, carried_e=True)
    if carried or any(s.kind == "ext" for inst in instances for srcs in (inst.pointers or {}).values() for s in srcs):
        raise UnsupportedFeature("a POINTER points at a variable of extracellular, which no section has")
    return ext


def ext_value(src: Any, mech_state: dict, ext_state: dict | None) -> Any:
    """What a POINTER of kind "ext" reads: e_extracellular as carried, i_membrane or vext[k] now."""
    if src.var == E_VAR:
        return mech_state[extracellular.E_KEY]["e"][src.index]
    if ext_state is None:
        raise UnsupportedFeature(f"a POINTER reads {src.var} before finitialize() set up extracellular")
    if src.var == "i_membrane":
        return ext_state["i_membrane"][src.index]
    return ext_state["vext"][int(src.var[-1])][src.index]


def store(inst: Any, written: dict[str, Any], mech_state: dict, dtype: Any) -> dict:
    """`mech_state` with the targets of the POINTERs in `written` (name -> per-instance values) set."""
    names = [n for n in _written(inst) if n in written]
    if not names:
        return mech_state
    mech_state = dict(mech_state)
    for name in names:
        values = jnp.asarray(written[name], dtype)
        for src in (inst.pointers or {}).get(name, ()):
            owner, var = (extracellular.E_KEY, "e") if src.kind == "ext" else (src.owner, src.var)
            part = dict(mech_state[owner])
            if src.kind == "global":  # one double: every instance holds it (check: one writing instance)
                part[var] = jnp.full_like(part[var], values[int(np.asarray(src.positions)[-1])])
            else:
                part[var] = part[var].at[np.asarray(src.index)].set(values[np.asarray(src.positions)])
            mech_state[owner] = part
    return mech_state


def initial_globals(plan: Any, inst: Any, params: dict, mech_state: dict) -> dict:
    """The parameters `inst`'s INITIAL runs with: a GLOBAL ASSIGNED of it that a POINTER points at starts at the value
    the earlier INITIALs wrote there (`mech_state`; NEURON's one double), as a kept ASSIGNED the model gives does
    (`TranslatedMechanism.init_events`)."""
    names = {src.var for other in plan.mechanisms for sources in (other.pointers or {}).values() for src in sources
             if src.kind == "global" and src.owner == inst.name}
    if not names:
        return params
    return {**params, **{k: mech_state[inst.name][k] for k in sorted(names)}}
