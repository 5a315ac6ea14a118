"""`nc.event(td[, flag])` from HOC: an event queued into the live run (NEURON 9.0.2 netcvode.cpp `nc_event`).

Without a flag it is the NetCon's own event at td [ms] (`NetCvode::event`: the target's NET_RECEIVE runs at
td with the NetCon's weight vector, in the queue's order among equal times); with a flag (ARTIFICIAL_CELL
targets only) it is a self-event at td carrying the NetCon's weights (`nrn_net_send`). An inactive NetCon
queues nothing. NEURON's finitialize() clears the queue, so only an event queued after finitialize() can be
delivered: bridge refuses one before (and one earlier than the run's t, and a flagged event to a cell that
calls net_move, whose pending flag-1 item it would set: not measured).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from bridge.errors import UnsupportedFeature
from bridge.solver.tqueue import insert


def queue_event(live, label: str, td: float, flag: float | None) -> None:
    """Insert NetCon `label`'s event at td [ms] into `live`'s event buffer, after running what is pending."""
    first = live.first
    labels = [nc.label for nc in first.network.netcons] if first is not None and first.network is not None else []
    if label not in labels:
        raise UnsupportedFeature(f"{label}.event(): the run has no such NetCon (created after finitialize()?)")
    k = labels.index(label)
    live.flush()
    state = live.state
    if state is None or "events" not in state:
        raise UnsupportedFeature(f"{label}.event(): no event queue in this run")
    eplan = first.simulation().events
    r, i = int(eplan.nc_recv[k]), int(eplan.nc_inst[k])
    if r < 0:
        raise UnsupportedFeature(f"{label}.event(): the NetCon has no target")
    if flag is not None and eplan.q_base and eplan.q_base[r] >= 0:
        raise UnsupportedFeature(f"{label}.event(t, flag) to a cell that calls net_move is not supported")
    t_now = float(np.asarray(state["t"]))
    if td < t_now:
        raise UnsupportedFeature(f"{label}.event({td:g}): a time earlier than the run's t = {t_now:g} ms")
    buf = state["events"]
    i32 = jnp.int32
    buf = insert(buf, jnp.asarray(td, buf["t"].dtype), jnp.asarray(k, i32), jnp.asarray(r, i32),
                 jnp.asarray(i, i32), jnp.asarray(0.0 if flag is None else flag, buf["flag"].dtype),
                 jnp.asarray(True))
    live.state = {**state, "events": buf}
    live.epoch += 1
