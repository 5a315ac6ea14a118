"""ParallelContext's voltage transfer (gap junctions by `source_var`/`target_var`) in one process.

NEURON 9.0.2 copies each source node's v into its target variable (src/nrniv/partrans.cpp
`thread_transfer`) at two places of the fixed step: in `nrn_finitialize` after v is set and before the
INITIAL blocks, and in `nonvint` after v is updated and before the states (src/nrnoc/fadvance.cpp). The
target keeps that value until the next copy: BREAKPOINT at the next step's t + dt/2 reads the copy made
after the last update. At finitialize the copy reaches INITIAL through the instance's parameters (a
mechanism's INITIAL starts from its defaults and the values the model gave: `init_params`). `Transfer` is
one mechanism's targets: the instances at `positions` read v[`nodes`] into their variable `var` (a RANGE
ASSIGNED or STATE, which the mechanism keeps per instance).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError


@dataclass(frozen=True, eq=False)
class Transfer:
    """Instances `positions` of point mechanism `mechanism` receive v at `nodes` in their `var`."""

    mechanism: str
    var: str
    positions: np.ndarray
    nodes: np.ndarray


def plan_transfers(layout, instances) -> tuple[Transfer, ...]:
    """The transfers of the point processes of `instances` (`PointProcess.transfers`: var -> (section, x))."""
    out = []
    for inst in instances:
        rows: dict[str, list[tuple[int, int]]] = {}
        for k, pp in enumerate(inst.point_processes):
            for var, (sec, x) in getattr(pp, "transfers", {}).items():
                if var not in inst.mechanism.state_defaults:
                    raise BridgeError(f"ParallelContext.target_var: {inst.name}.{var} is not a variable bridge keeps "
                                      "per instance (a RANGE ASSIGNED or STATE; a PARAMETER is not supported)")
                rows.setdefault(var, []).append((k, layout.node(sec, x)))
        for var, pairs in rows.items():
            out.append(Transfer(inst.name, var, np.array([k for k, _ in pairs], np.int32),
                                np.array([n for _, n in pairs], np.int32)))
    return tuple(out)


def apply(transfers: tuple[Transfer, ...], mech_state: dict, v) -> dict:
    """`mech_state` with each target set to its source node's v (partrans.cpp thread_transfer)."""
    if not transfers:
        return mech_state
    mech_state = dict(mech_state)
    for tr in transfers:
        st = dict(mech_state[tr.mechanism])
        st[tr.var] = st[tr.var].at[tr.positions].set(v[tr.nodes].astype(st[tr.var].dtype))
        mech_state[tr.mechanism] = st
    return mech_state


def init_params(transfers: tuple[Transfer, ...], inst, params: dict, v, dtype) -> dict:
    """The parameters INITIAL of `inst` starts from, with each target holding its source's v: the mechanism's
    INITIAL starts a kept variable from the value the model gave (`TranslatedMechanism.init_events`)."""
    mine = [tr for tr in transfers if tr.mechanism == inst.name]
    if not mine:
        return params
    params = dict(params)
    for tr in mine:
        base = params.get(tr.var, inst.mechanism.state_defaults[tr.var])
        values = jnp.broadcast_to(jnp.asarray(base, dtype), (inst.size,))
        params[tr.var] = values.at[tr.positions].set(v[tr.nodes].astype(dtype))
    return params


def digest(transfers: tuple[Transfer, ...]) -> bytes:
    """What a compiled step bakes in of the transfers (for `bridge.hoc.live.structure_key`)."""
    h = hashlib.sha256()
    for tr in transfers:
        h.update(repr((tr.mechanism, tr.var)).encode() + tr.positions.tobytes() + tr.nodes.tobytes())
    return h.digest()
