"""`NetCon.record("stmt")`: a HOC statement NEURON runs at each spike of the NetCon's source, during the run.

NEURON (netcvode.cpp `nc_record`, `PreSyn::record_stmt`, `PreSyn::record`): the statement replaces the
source's earlier one ("" removes it; `record()` without arguments keeps it); at each spike it runs with
HOC's t set to the spike time, in the object where `record` was called (ivoc/objcmd.cpp `HocCommand`),
as `{stmt}`. In the fixed step a spike happens at a step boundary s_m: a threshold crossing of v found at
the start of step m (t = s_m + eps), or a `net_event` of an event delivered around s_m (the events
<= s_m ending step m - 1, or <= s_m + dt/2 starting step m); the statement reads the state after step
m - 1 and what it changes acts from step m on. stdrun's `continuerun` stops at the end of the
`step()` (nstep_steprun fadvance()s) in which a statement set `stoprun` (stdrun.hoc: `while (t < ts &&
stoprun == 0) step()`).

bridge's live run (`bridge.hoc.live`) is lazy; with statements a `continuerun()` or `fadvance()` runs
now, piece by piece (`advance`): a trial of the steps left finds the first spike of a source with a
statement and its boundary m (the first with spike time <= s_m + dt/2, computed as the step computes
it); the run goes m steps, each statement of a spike at that boundary runs (spike time order), the model
is frozen again (what a statement assigned acts from step m on) and the run goes on. Exact for what the
statement reads and writes at its spike, including `stoprun`. Not modelled: a statement that runs or
steps the simulation itself (refused), and the order among several events delivered at one boundary (all
statements of a boundary run before its threshold checks and deliveries go on).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def sources(model) -> dict[str, Any]:
    """label -> PreSyn of the sources with a statement."""
    ev = model.event_objects
    if ev is None:
        return {}
    found = list(ev.presyns.values()) + [c.presyn for c in ev.cells.values() if c.presyn is not None]
    found += [nc.presyn for nc in ev.netcons.values() if nc.presyn is not None]
    found += [ps for ps in ev.gids.values() if ps is not None]
    return {ps.label: ps for ps in found if ps.statement is not None and ps.alive()}


def advance(interp, freeze, t0: float, steps: int, group: int, loc, stop: bool) -> float:
    """Run `steps` fixed steps from t0 now, running the statements at their spikes (module docstring);
    `group`: stdrun's fadvance()s per step(); `stop`: whether `stoprun` ends the run (continuerun).
    `freeze()` gives the model as HOC has it now. Returns t after the last step run."""
    model, live = interp.model, interp.model.live
    g = model.globals
    live.flush()
    done, t = 0, t0
    while True:
        frozen = freeze()
        found = _first_spikes(model, live, frozen, t, min(steps - done, CHUNK), group)
        if found is None:
            return t
        m, items, start_of_step, trial, n = found
        if trial is not None and (not items or m == n):  # the trial's steps are the run's: kept
            _adopt(live, trial)
            t, m = float(np.asarray(live.state["t"])), n
        else:
            t = _go(live, frozen, t, m, group)
        done += m
        model.thread_t = t
        for ts, row, ps in items:
            _seen(model, live)[row] = _seen(model, live).get(row, 0) + 1
            state, first = live.state, live.first
            _run(interp, ps, ts, t, loc)
            if live.pending or live.init is not None or live.state is not state or live.first is not first:
                raise interp.refuse("a NetCon.record statement ran or advanced the simulation (finitialize, fadvance, "
                                    "run, ...) at a spike: bridge runs the statements between the steps", loc)
        g["t"] = t
        if items and stop and g.get("stoprun", 0.0):  # continuerun stops after the step() it is in
            k = done + (1 if start_of_step else 0)
            end = min(steps, -(-k // group) * group)
            return _go(live, freeze(), t, end - done, group)
        if done >= steps:
            return t


CHUNK = 1000  # steps a trial runs ahead for the next spike; steps without one are kept as they ran


def _go(live, frozen, t: float, n: int, group: int) -> float:
    """Run n steps from t now; t after them."""
    from bridge.hoc.live import Piece

    if n <= 0:
        return t
    live.pending.append(Piece(frozen, t, n, t, max(group, 2)))  # not one continuerun from 0 (HocSession.model)
    live.epoch += 1
    live.flush()
    return float(np.asarray(live.state["t"]))


def _trial(live):
    """A copy of the live run to run ahead in (its lists copied; the compiled engines shared)."""
    import dataclasses

    return dataclasses.replace(live, pending=[], times=list(live.times), samples=list(live.samples),
                               mids=list(live.mids), before=dict(live.before), pre_rows=list(live.pre_rows),
                               runs=[], keep_runs=False)


def _adopt(live, trial) -> None:
    """The live run takes over what the trial ran (the same pieces it would run itself)."""
    import dataclasses

    for f in dataclasses.fields(live):
        if f.name not in ("runs", "keep_runs", "pending", "engines"):
            setattr(live, f.name, getattr(trial, f.name))
    live.stepped = True
    live.epoch += 1


def _seen(model, live) -> dict[int, int]:
    """Per spike record row, how many spikes of this run (since finitialize) had their statement run."""
    key = id(live.first)
    kept = getattr(model, "record_stmt_seen", None)
    if kept is None or kept[0] != key:
        kept = (key, {})
        model.record_stmt_seen = kept
    return kept[1]


def _first_spikes(model, live, frozen, t: float, steps: int, group: int):
    """(m, [(spike time, row, PreSyn)] at boundary m, whether they come at the start of step m, the trial run
    or None, its steps) for the first spikes of sources with statements not run yet: those in the run
    already (finitialize's, at m = 0), else in a trial of `steps` steps from the live state (items empty
    when it has none); None when there is nothing to run."""
    from bridge.hoc.live import Piece

    src = sources(model)
    stmt = [(rec.row, src[rec.label]) for rec in frozen.spike_records if rec.label in src]
    if live.state is None or "events" not in live.state:
        return None
    seen = _seen(model, live)
    buf = live.state["events"]
    have, times = np.asarray(buf["nspikes"]), np.asarray(buf["spikes"])
    old = [(float(ts), row, ps) for row, ps in stmt for ts in times[row, seen.get(row, 0):have[row]]]
    if old:
        return 0, sorted(old, key=lambda a: a[0]), False, None, 0
    if steps <= 0:
        return None
    trial = _trial(live)
    first = len(trial.times)
    trial._advance(Piece(frozen, t, steps, t, max(group, 2)))
    buf = trial.state["events"]
    after, times = np.asarray(buf["nspikes"]), np.asarray(buf["spikes"])
    found = sorted(((float(ts), row, ps) for row, ps in stmt for ts in times[row, seen.get(row, 0):after[row]]),
                   key=lambda a: a[0])
    if not found:
        return 0, [], False, trial, steps
    ends = np.concatenate([[t], *trial.times[first:]])  # s_0 = t, s_j after step j - 1
    til = ends + 0.5 * frozen.dt  # the start-of-step delivery's bound, as the step computes it
    boundary = [int(np.argmax(ts <= til)) if ts <= til[-1] else len(ends) - 1 for ts, _, _ in found]
    m = min(boundary)
    items = [f for f, b in zip(found, boundary, strict=True) if b == m]
    return m, items, bool(items[0][0] > ends[m]), trial, steps


def _run(interp, ps, ts: float, t_now: float, loc) -> None:
    """The statement of `ps` at spike time ts, as HocCommand::execute runs it: `{stmt}`, HOC's t = ts."""
    from bridge.hoc.loader import run_text
    from bridge.hoc.values import Frame

    text, obj = ps.statement
    interp.model.globals["t"] = ts
    name = f"<NetCon.record statement of {ps.label}>"
    try:
        if obj is not None:
            run_text(interp, "{" + text + "\n}", name, obj=obj)
        else:
            interp.frames.append(Frame("(NetCon.record statement)", [], None, loc))
            try:
                run_text(interp, "{" + text + "\n}", name)
            finally:
                interp.frames.pop()
    finally:
        interp.model.globals["t"] = t_now
