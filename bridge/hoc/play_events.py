"""`Vector.play` in a run with NetCons: which plays go on the event queue, which bridge refuses.

NEURON queues a discrete play's values as events on the same queue as the NetCon events
(src/nrniv/vrecord.cpp `VecPlayStep::deliver` sends `PlayRecordEvent`s; src/nrncvode/netcvode.cpp
`NetCvode::deliver_net_events` and `deliver_events` take them in `TQueue` order: time, then first in first out,
the `least_` item apart). A play's value and the NET_RECEIVE blocks meet when a block (or a WATCH condition)
reads the played variable: the value a delivery sees is the one the last play event delivered before it set.
Every play of such a run goes on bridge's queue (`queued_plays`; `bridge.solver.event_play`), which replays
that order, equal times included: the discrete ones set the value NET_RECEIVE and WATCH read, the continuous
ones' items only take their places (an item in TQueue's `least_` place sends a later insert straight to the
tree, so a play no block reads still moves the order of equal NetCon events: with a NET_RECEIVE that is not
linear in its events, by 0.035 mV in tests/hoc/test_play_with_netcons.py). The step's currents still take the
values per half step (`bridge.hoc.play.step_values`: the same values, since both deliver the events
<= t + dt/2 before the currents). Refused by name: a continuous play such a block reads (its events
interpolate, and fixed_play_continuous sets it twice a step), a play into a variable a NetCon's threshold
watches, and a play into a parameter the mechanism's own code assigns (bridge carries that one in the state).
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature


def queued_plays(plan, events, schedules, setters) -> tuple[int, ...]:
    """The indices of the plays (`setters[j]`, `schedules[j]`) whose events go on the event queue: all of them in
    a run with NetCons (`events` an EventPlan), none without. Raises UnsupportedFeature for a play whose variable
    a receiver reads (a variable or GLOBAL of a mechanism with NET_RECEIVE or WATCH, or celsius, which any
    receiver's block may read) that is continuous or that the mechanism's code assigns, and for a play into a
    point process variable a NetCon's threshold watches."""
    from bridge.hoc.play import describe

    if events is None or not setters:
        return ()
    receivers = {r.name: r.mechanism for r in events.receivers}
    watched = {(var[0], var[1]) for var in events.thr_var if var is not None}
    for sched, (kind, name, var, _) in zip(schedules, setters, strict=True):
        what = describe(sched.target)
        if kind == "global":
            readers = sorted(r for r in receivers if name == "celsius" or name.endswith(f"_{r}")
                             or name in plan.global_keys.get(r, {}).values())  # name_suffix: an artificial cell's too
            if not readers:
                continue
            mechs = [receivers[r] for r in readers]
            var = name[: -len(readers[0]) - 1] if name != "celsius" and name.endswith(f"_{readers[0]}") else name
        elif name in receivers:
            readers, mechs = [name], [receivers[name]]
        elif (name, var) in watched:
            raise UnsupportedFeature(
                f"Vector.play into {what} in a run with NetCons is not supported: a NetCon's threshold watches it")
        else:
            continue
        if sched.continuous:
            raise UnsupportedFeature(
                f"Vector.play into {what} in continuous mode in a run with NetCons is not supported: the NET_RECEIVE "
                f"of {', '.join(readers)} may read it, and NEURON interpolates it at its events and twice a step "
                "(bridge sets the value a NET_RECEIVE reads from discrete plays only)")
        if any(var in m.state_defaults and (kind == "global" or var in m.range_parameters) for m in mechs):
            raise UnsupportedFeature(
                f"Vector.play into {what} in a run with NetCons is not supported: {', '.join(readers)} assigns it in "
                "its own code, and its NET_RECEIVE reads that value")
    return tuple(range(len(schedules)))  # all: each play's items decide where equal-time inserts go
