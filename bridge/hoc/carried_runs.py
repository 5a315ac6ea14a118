"""A finitialize() after a run, with a mechanism that reads what the last run left (`analysis.carried`).

NEURON's finitialize() runs INITIAL on each instance's memory as the last run left it: an ASSIGNED
(a counter, a "last spike time", a "done" flag), a PARAMETER the code assigns or a file-level LOCAL
that a block reads before INITIAL surely assigns it starts the new run from the last run's value
(nocmodl's `initmodel` resets STATEs only). bridge starts every run from the defaults, or from what
HOC gave (`solver.plan.assigned_starts`), so `starts` reads those variables from the live run's state
(after its last step, and after what HOC assigned since: HOC writes NEURON's memory) and hands them to
the next finitialize() as their start (`apply`, in `LiveRun._init_params`); a mechanism with no such
variable costs nothing. A first finitialize() starts from the defaults in both. An instance keeps its
memory when the model gained others (a new section, point process or stimulus): each instance is
matched by who it is (a point process's or artificial cell's label, a section's segment of the same
`insert`); a new one (a point process made anew, a section deleted and created again, a mechanism
uninserted and inserted again) starts from its defaults, as NEURON allocates it.

Refused, naming the variable, its .mod line and the HOC line, where the value cannot be carried
exactly: a section's nseg changed since the last run, a GLOBAL or file-level LOCAL whose instances
in bridge's state disagree (NEURON keeps one C variable), a GLOBAL PARAMETER the code assigns, and a
finitialize() whose FInitializeHandlers of type 3 or 0 changed the model (their assignments reach the
model, not the state). A GLOBAL ASSIGNED HOC assigned (or a HOC call wrote) is in the run's state, or
the next finitialize() starts from it (`bridge.hoc.global_assigned`).
"""

from __future__ import annotations

import numpy as np

from bridge.hoc.initstate import used_mechanisms


def starts(interp, model, frozen, loc, handlers_changed: bool = False) -> dict:
    """{mechanism: {variable: values (instances first, or one for all)}}: the carried variables
    (`analysis.carried`) whose value the last run left differs from the one bridge starts the finitialize() at
    `loc` (its model `frozen`) from;
    refuses what cannot be carried (module docstring). `handlers_changed`: FInitializeHandlers of type 3 or 0
    changed the model in this finitialize() (what they assign goes to the model, not to the last run's state)."""
    live = model.live
    found = _found(model)
    sections = _sections(model) if found else None
    last_sections = model.carried_sections
    if not found or live.first is None or last_sections is None:
        model.carried_sections = sections  # the first run with them: everything starts from its default
        return {}
    live.flush()  # the last run, as NEURON's memory holds it now
    if live.state is None:
        model.carried_sections = sections
        return {}
    sim = frozen.simulation()
    params = sim.params()
    mechanisms = {i.name: i.mechanism for i in sim.plan.mechanisms}
    mechanisms.update((r.name, r.mechanism) for r in (sim.events.receivers if sim.events is not None else ()))
    catalog = model.catalog
    out: dict = {}
    for name, c in found:
        old = live.state["mech"].get(name, {}).get(c.name)
        if old is None and name not in live.state["mech"]:
            continue  # not in the last run: NEURON allocates it now, from its defaults, as bridge does
        start = _start(params, mechanisms.get(name), name, c.name)
        why = _why_not(old, c, start)
        value = None
        if not why:
            old_ids = _ids(live.plan, live.first.network, name, last_sections)
            new_ids = _ids(sim.plan, frozen.network, name, sections)
            try:
                value = _mapped(np.asarray(old, float), c, start, old_ids, new_ids)
            except ValueError as err:
                why = str(err)
        if why:
            raise interp.refuse(
                f"{name}.{c.name} is read before INITIAL assigns it ({catalog.file_of(name)}:{c.line}), so NEURON's "
                f"finitialize() starts from what the last run left, which bridge does not carry here: {why}", loc)
        if value is None or _same(value, start):
            continue  # the value bridge starts from anyway
        if handlers_changed:
            raise interp.refuse(
                f"{name}.{c.name} is read before INITIAL assigns it ({catalog.file_of(name)}:{c.line}), so NEURON's "
                "finitialize() starts from what the last run left, or from what an FInitializeHandler assigned: a "
                "handler of type 3 or 0 changed the model, and bridge does not tell whether it assigned this", loc)
        out.setdefault(name, {})[c.name] = value
    model.carried_sections = sections
    return out




def _sections(model) -> dict:
    """{name: (section object, {mechanism: its values dict})} of the model's sections now. A section's values dict
    of a density mechanism (`morphology.tree.Section.mechanisms`) is made by `insert` and dropped by `uninsert`:
    NEURON allocates the instances anew then (cabcode.cpp `mech_insert1` after `mech_uninsert1`), so the dict's
    identity tells a kept instance set from a new one. Held here, with the sections, so that no id is reused."""
    return {s.data.name: (s, dict(s.data.mechanisms)) for s in model.sections if s.alive}


def _found(model) -> list:
    """(mechanism, `analysis.carried.Carried`) of every mechanism the model uses."""
    catalog = model.catalog
    found = []
    for name in sorted(used_mechanisms(model)):
        if name.endswith("_ion") or name not in catalog:
            continue
        calls = catalog.get(name).calls
        found += [(name, c) for c in (calls.carried if calls is not None else ())]
    return found


def _mapped(old: np.ndarray, c, start, old_ids: list, new_ids: list):
    """The values the new run's instances of `name` start `c` from: each kept instance (the same point process,
    the same segment of the same section) the last run's value; a new one (NEURON allocates it) its start; one
    value (a scalar, or an array variable's row) when every instance has the same, as a GLOBAL or file-level
    LOCAL always has. None when the new run has no instance.
    ValueError where NEURON's memory is not the last run's (a section's nseg changed). `old_ids`, `new_ids`:
    who each instance is in the last run and in the new one (`_ids`)."""
    if not new_ids:
        return None
    shape = (len(new_ids), *old.shape[1:])
    if not c.range:
        return old[0].copy() if len(old) else None  # one value (a row of an array), as the default is given
    base = np.asarray(start, float)
    if base.ndim == 1 and len(shape) == 2:
        base = base[:, None]
    value = np.broadcast_to(base, shape).copy()
    if len(old_ids) != len(old):
        raise ValueError("bridge's last run holds its instances in an order it cannot match")
    index = {k: i for i, k in enumerate(old_ids)}
    resized = {k[0]: k[2] for k in index if isinstance(k, tuple)}
    for i, k in enumerate(new_ids):
        if k in index:
            value[i] = old[index[k]]
        elif isinstance(k, tuple) and k[0] in resized and resized[k[0]] != k[2]:
            raise ValueError("a section's nseg changed since the last run (NEURON moves the values of its segments)")
    if all(np.array_equal(value[0], row, equal_nan=True) for row in value[1:]):
        return value[0].copy()  # every instance the same: one value, as a default (an IF on it stays one test)
    return value


def _ids(plan, network, name: str, secs: dict) -> list:
    """Who each instance of `name` in a run (its `plan` and NetCon `network`) is: a point process's or an artificial
    cell's label, a segment's ((section object's id, its `name` values dict's id), index, nseg) (`secs`: the
    sections then, `_sections`, kept alive so that no id is reused): an `uninsert` then `insert` of `name` makes
    a new instance set, started from its defaults as NEURON starts it."""
    inst = next((i for i in plan.mechanisms if i.name == name), None)
    cells = [c.label for c in (network.cells if network is not None else ()) if c.name == name]
    if inst is None:
        return cells
    if cells:
        raise ValueError(f"{name} is both placed in sections and an artificial cell of the network")
    if inst.point_processes:
        return [pp.label for pp in inst.point_processes]
    lay = plan.layout
    where = {}
    for s in lay.section_names:
        nseg = int(lay.nseg[lay.section_index(s)])
        token = (id(secs[s][0]), id(secs[s][1].get(name))) if s in secs else ("gone", s)
        for j, node in enumerate(lay.segment_nodes(s)):
            where[int(node)] = (token, j, nseg)
    return [where[int(n)] for n in inst.nodes]


def _why_not(old, c, start) -> str:
    """Why the last run's value `old` of carried `c` cannot be the next run's start ("" when it can)."""
    if old is None:
        return "the run keeps no value of it"
    if start is None:
        return "a GLOBAL PARAMETER the code assigns (its value is HOC's global), or no start bridge knows"
    if not c.range:
        a = np.asarray(old, float)
        if a.shape[0] and not all(np.array_equal(a[0], a[k], equal_nan=True) for k in range(1, a.shape[0])):
            return "a GLOBAL or file-level LOCAL (one value in NEURON) whose instances disagree in bridge's run"
    return ""


def apply(params: dict, carry: dict) -> dict:
    """`params` with each carried value (`starts`) as its mechanism's start before INITIAL: a kept ASSIGNED's or an
    assigned PARAMETER's given value (runtime.mechanism `init_events`), an artificial cell's among the network's
    cell parameters (solver.event_buffer `default_params`)."""
    if not carry:
        return params
    mechs = dict(params["mechanisms"])
    network = params.get("network")
    cells = dict(network["cells"]) if network else {}
    for name, values in carry.items():
        if name in mechs:
            mechs[name] = {**mechs[name], **values}
        else:
            cells[name] = {**cells[name], **values}
    out = {**params, "mechanisms": mechs}
    if network:
        out["network"] = {**network, "cells": cells}
    return out


def _start(params: dict, mech, name: str, var: str):
    """The value each instance of `name` starts `var` from in bridge's run (`init_events`), or None."""
    given = params.get("mechanisms", {}).get(name)
    if given is None:
        given = ((params.get("network") or {}).get("cells") or {}).get(name, {})
    if var in given:
        return given[var]
    if mech is None or var in mech.assigned_global_parameters:
        return None  # a GLOBAL PARAMETER starts at the global HOC set: not compared here, refused (or no instance)
    if var in mech.range_parameters:
        return mech.range_parameters[var]
    return mech.state_defaults.get(var)


def _same(old, new) -> bool:
    """Every instance's value the same (NaN equal to NaN)."""
    if new is None:
        return False
    a = np.asarray(old, float)
    b = np.broadcast_to(np.asarray(new, float), a.shape) if np.ndim(new) == 0 else np.asarray(new, float)
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
