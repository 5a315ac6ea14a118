"""`Vector.play` in a run with NetCons: which plays bridge applies beside the events, which it refuses.

NEURON queues a discrete play's values as events on the same queue as the NetCon events
(src/nrniv/vrecord.cpp `VecPlayStep::deliver` sends `PlayRecordEvent`s; src/nrncvode/netcvode.cpp
`NetCvode::deliver_net_events` and `deliver_events` take them in time order, first in first out among
equal times). A play's value and the NET_RECEIVE blocks therefore only meet when a block (or a WATCH
condition, or a NetCon threshold on a point process variable) reads the played variable: then the value a
delivery sees depends on the order of equal-time items in the queue, which bridge's step (the play's
values per half step, `bridge.hoc.play.step_values`) does not follow. Those plays are refused by name; the
others (a stimulus Vector into IClamp.amp beside NetStims driving synapses) run exactly, the play values
set as without NetCons and the events delivered as without plays (`bridge.solver.stepper.make_advance`).
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature


def refuse_read_by_events(plan, events, schedules, setters) -> None:
    """Raise UnsupportedFeature for a play (`setters[j]`, `schedules[j].target`) whose variable a receiver of the
    EventPlan `events` reads: a variable or GLOBAL of a mechanism with NET_RECEIVE (or WATCH), celsius (any
    receiver's block may read it), or a point process variable a NetCon's threshold watches."""
    from bridge.hoc.play import describe

    if events is None or not setters:
        return
    receivers = {r.name for r in events.receivers}
    watched = {(var[0], var[1]) for var in events.thr_var if var is not None}
    for sched, (kind, name, var, _) in zip(schedules, setters, strict=True):
        what = describe(sched.target)
        if kind == "global":
            readers = sorted(r for r in receivers if name == "celsius" or name.endswith(f"_{r}")
                             or name in plan.global_keys.get(r, {}).values())  # name_suffix: an artificial cell's too
            if readers:
                raise UnsupportedFeature(
                    f"Vector.play into {what} in a run with NetCons is not supported: the NET_RECEIVE of "
                    f"{', '.join(readers)} may read it, and NEURON's value there depends on the order of the play's "
                    "events among the NetCon events at equal times")
        elif name in receivers:
            raise UnsupportedFeature(
                f"Vector.play into {what} in a run with NetCons is not supported: {name} has a NET_RECEIVE block "
                "that may read it, and NEURON's value there depends on the order of the play's events among the "
                "NetCon events at equal times")
        elif (name, var) in watched:
            raise UnsupportedFeature(
                f"Vector.play into {what} in a run with NetCons is not supported: a NetCon's threshold watches it")
