"""The event buffer's initial contents and the network's parameters (weights, cell parameters, RANDOM
streams): `default_params`, `empty_buffer` (layout: bridge.solver.events)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError
from bridge.solver.event_plan import EventPlan
from bridge.solver.network import Network
from bridge.solver.plan import assigned_starts
from bridge.solver.tqindex import empty_index


def default_params(eplan: EventPlan, network: Network, new_stream=None) -> dict:
    """Parameter pytree part of the network: NetCon weights and artificial cells' RANGE parameters (and the kept
    ASSIGNEDs a cell was given: their value when INITIAL starts, plan.assigned_starts).

    A cell's RANDOM streams (`mechanism.randoms`) are `new_stream(r, ids)` -> {field: value}, ids the cell's
    `randoms[r]` or NEURON's default (1, 0, n): `nrnran123_newstream()` (src/gnu/nrnran123.cpp) numbers the
    streams a process makes, the n-th gets id3 = n; the cells' streams are numbered here in creation order,
    which is NEURON's numbering when nothing else made a stream before them. Values in `params` win."""
    streams: dict[int, dict[str, float]] = {}
    n = 0
    for i, c in enumerate(network.cells):
        randoms = tuple(getattr(next((r.mechanism for r in eplan.receivers if r.name == c.name), None),
                                "randoms", ()))
        for name in c.randoms:
            if name not in randoms:
                raise BridgeError(f"{c.label or c.name}: {c.name} has no RANDOM variable {name!r}")
        streams[i] = {}
        for r in randoms:
            n += 1
            ids = tuple(c.randoms.get(r, (1, 0, n)))
            if len(ids) not in (3, 4):
                raise BridgeError(f"{c.label or c.name}: stream {r} needs (id1, id2, id3[, seq]), got {ids!r}")
            if new_stream is None:
                raise BridgeError(f"{c.label or c.name}: {c.name} has RANDOM streams; default_params needs new_stream")
            streams[i].update(new_stream(r, ids))
    cells = {}
    for r in eplan.receivers:
        if r.inst is None:
            members = [i for i, c in enumerate(network.cells) if c.name == r.name]
            sizes = getattr(r.mechanism, "array_sizes", {})
            given = {k for i in members for k in network.cells[i].params}
            starts = {k: r.mechanism.state_defaults[k] for k in assigned_starts(r.mechanism) if k in given}
            cells[r.name] = {k: _cell_values([network.cells[i] for i in members], k, d, sizes.get(k),
                                             [streams[i] for i in members])
                             for k, d in {**r.mechanism.range_parameters, **starts}.items()}
    return {"weights": np.asarray(eplan.weights, float), "cells": cells}


def _cell_values(members, k: str, default: float, size: int | None, streams) -> np.ndarray:
    """(ncells,) values of RANGE parameter k (a stream field's default from the cell's `streams`), or
    (ncells, size) for an array parameter (a VecStim's times: each cell's list, padded with the default)."""
    if size is None:
        return np.array([float(c.params.get(k, st.get(k, default))) for c, st in zip(members, streams, strict=True)])
    out = np.full((len(members), size), float(default))
    for j, c in enumerate(members):
        given = np.asarray(c.params.get(k, ()), float).reshape(-1)
        if len(given) > size:
            raise BridgeError(f"{c.label or c.name}: {len(given)} values for {k}[{size}]")
        out[j, :len(given)] = given
    return out


# -- the buffer ------------------------------------------------------------------------------
def _args_rows(weights, width: int, dtype):
    """The NetCons' NET_RECEIVE arguments, (nnc, width); with no NetCon (only self-events: an Ipulse-style
    `net_send` from INITIAL) one row of zeros that no event reads (every event's `nc` is -1)."""
    w = jnp.asarray(weights, dtype)
    if w.ndim == 2 and w.shape[0] > 0:
        return w
    return jnp.zeros((1, width), dtype)


def empty_buffer(eplan: EventPlan, weights, dtype) -> dict:
    k = eplan.settings.capacity
    nrec = max(1, int((eplan.recorded >= 0).sum()))
    return {"t": jnp.full((k,), jnp.inf, jnp.float64), "nc": jnp.full((k,), -1, jnp.int32),
            "recv": jnp.zeros((k,), jnp.int32), "inst": jnp.zeros((k,), jnp.int32),
            "flag": jnp.zeros((k,), jnp.float64), "seq": jnp.zeros((k,), jnp.int32),
            "valid": jnp.zeros((k,), bool), "least": jnp.asarray(-1, jnp.int32), "counter": jnp.asarray(0, jnp.int32),
            "overflow": jnp.asarray(jnp.inf, jnp.float64), "args": _args_rows(weights, eplan.width, dtype),
            "armed": jnp.zeros((len(eplan.thr_node),), bool),
            "spikes": jnp.full((nrec, eplan.settings.spikes), jnp.nan, jnp.float64),
            "nspikes": jnp.zeros((nrec,), jnp.int32),
            "w_active": jnp.zeros((len(eplan.w_recv),), bool), "w_above": jnp.zeros((len(eplan.w_recv),), bool),
            "w_seq": jnp.zeros((len(eplan.w_recv),), jnp.int32), "w_counter": jnp.asarray(0, jnp.int32),
            "tq": jnp.full((eplan.q_size,), -1, jnp.int32), "move_error": jnp.asarray(jnp.inf, jnp.float64),
            **empty_index(k)}
