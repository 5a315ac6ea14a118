"""`Vector.play` events on the event queue, in a run with NetCons (`bridge.hoc.play_events`).

NEURON queues each discrete play's next value as a `PlayRecordEvent` on the queue of the NetCon events
(src/nrniv/vrecord.cpp `VecPlayStep::play_init` sends the first at tvec[0] or 0; `VecPlayStep::deliver` sets
the variable to y[k] and sends the next, at tvec[k + 1] or at the item's time + dt; src/nrncvode/netcvode.cpp
`PlayRecordEvent::deliver`), and a continuous play its next time (`VecPlayContinuous::deliver`). The items take
their places in `TQueue` as any other (first in, first out among equal times, the `least_` item apart: an
item there sends a later insert straight to the tree), so whether a NetCon event at a play's time sees the old
value or the new one, and in which order two NetCon events at one time arrive, follows from when each item was
inserted: bridge's queue (`bridge.solver.tqueue`) carries these items (`nc` = `PLAY_NC`, `inst` = the play,
`recv` = -1) beside the NetCon, self and WATCH events and replays that order. The buffer keeps per queued play
the index of its next event (`play_k`), the value it set last (`play_val`) and whether it has set one
(`play_on`), which NET_RECEIVE and WATCH read (`played`); the schedules are traced parameters
(`params["play_queue"]`: times and values per play, padded, and their counts), so new Vectors compile nothing
new unless they outgrow the padding.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from bridge.solver.play_params import apply_plays
from bridge.solver.tqueue import due, insert, pop

PLAY_NC = -3  # the `nc` of a play item (-1: a self-event, -2: a WATCH event)
KEY = "play_queue"  # the parameters' entry with the schedules


def event_times(sched) -> tuple[float, ...]:
    """The times [ms] of a `bridge.hoc.play.Schedule`'s events: a discrete play's `events`; a continuous play's
    (vrecord.cpp `VecPlayContinuous::play_init`, `::deliver`) every time of its time Vector, or with
    discontinuity indices the times at those indices (none for an empty index Vector)."""
    if not sched.continuous:
        return sched.events
    if sched.discon is None:
        return sched.times
    return tuple(sched.times[d] for d in sched.discon)


def schedule_params(schedules) -> dict:
    """The traced schedules of the queued plays: {"t": (P, L) [ms], "y": (P, L), "n": (P,), "sets": (P,)}, each
    play's event times (`event_times`) and values, padded to a power of two L >= 8 with times +inf; `sets`:
    whether its events set the value NET_RECEIVE reads (a discrete play's; a continuous play's events only take
    their places in the queue: no block reads its variable, `bridge.hoc.play_events`)."""
    times = [event_times(s) for s in schedules]
    width = 8
    while width < max((len(e) for e in times), default=0):
        width *= 2
    t = np.full((len(schedules), width), np.inf)
    y = np.zeros((len(schedules), width))
    for j, (s, e) in enumerate(zip(schedules, times, strict=True)):
        t[j, :len(e)] = e
        if not s.continuous:
            y[j, :len(e)] = s.y[:len(e)]
    return {"t": t, "y": y, "n": np.array([len(e) for e in times], np.int32),
            "sets": np.array([not s.continuous for s in schedules], bool)}


def empty_entries(nplays: int) -> dict:
    """The buffer's play entries before play_init: no value set, the first event next."""
    return {"play_k": jnp.zeros((nplays,), jnp.int32), "play_val": jnp.zeros((nplays,), jnp.float64),
            "play_on": jnp.zeros((nplays,), bool)}


def play_init(buf: dict, sched: dict, nplays: int) -> dict:
    """NetCvode::play_init: each queued play's first event inserted, in the plays' order (vrecord.cpp
    `VecPlayStep::play_init`), into the queue finitialize() has just cleared."""
    for j in range(nplays):
        buf = insert(buf, sched["t"][j, 0], PLAY_NC, -1, j, 0.0, sched["n"][j] > 0)
    return buf


def deliver_initial(buf: dict, sched: dict, til) -> dict:
    """finitialize's first `nrn_deliver_events` (fadvance.cpp `nrn_finitialize`, "The play events at t=0"): the
    queue holds only play items; those with time <= til [ms] are delivered in queue order (a while loop: the
    live run's finitialize is not differentiated)."""
    def body(b):
        b, has, slot = pop(b, til)
        return deliver_play(b, sched, has, b["nc"][slot], b["inst"][slot])

    return jax.lax.while_loop(lambda b: due(b, til), body, buf)


def deliver_play(buf: dict, sched: dict, has, nc, inst) -> dict:
    """`VecPlayStep::deliver` of the popped item where it is a play's (`has` and `nc` == PLAY_NC): the play's
    variable takes y[k] (a discrete play's), and its next event (k + 1 < n) is inserted at its time."""
    nplays = buf["play_k"].shape[0]
    if not nplays:
        return buf
    hit = has & (nc == PLAY_NC)
    j = jnp.clip(inst, 0, nplays - 1)
    k = buf["play_k"][j]
    width = sched["t"].shape[1]
    value = sched["y"][j, jnp.minimum(k, width - 1)]
    nxt = k + 1
    sets = hit & sched["sets"][j]
    buf = {**buf, "play_val": buf["play_val"].at[j].set(jnp.where(sets, value, buf["play_val"][j])),
           "play_on": buf["play_on"].at[j].set(buf["play_on"][j] | sets),
           "play_k": buf["play_k"].at[j].set(jnp.where(hit, nxt, k))}
    return insert(buf, sched["t"][j, jnp.minimum(nxt, width - 1)], PLAY_NC, -1, j, 0.0,
                  hit & (nxt < sched["n"][j]))


def played(params: dict, setters: tuple, buf: dict) -> dict:
    """`params` with each queued play's variable at the value its last delivered event set (the model's own
    value where none has been delivered): what a NET_RECEIVE or a WATCH condition reads now."""
    if not setters:
        return params
    return apply_plays(params, setters, buf["play_val"], buf["play_on"])
