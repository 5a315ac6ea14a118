"""A finitialize() after a run, with a mechanism that reads what the last run left (`analysis.carried`).

NEURON's finitialize() runs INITIAL on each instance's memory as the last run left it: an ASSIGNED
(a counter, a "last spike time", a "done" flag), a PARAMETER the code assigns or a file-level LOCAL
that a block reads before INITIAL surely assigns it starts the new run from the last run's value
(nocmodl's `initmodel` resets STATEs only; fadvance.cpp `nrn_finitialize` allocates nothing when the
structure did not change). bridge starts every run from the defaults, or from what HOC gave
(`solver.plan.assigned_starts`), so `starts` reads those variables from the live run's state (after
its last step, and after what HOC assigned since: HOC writes NEURON's memory) and hands them to the
next finitialize() as their start (`apply`, in `LiveRun._init_params`); a mechanism with no such
variable costs nothing. A first finitialize() starts from the defaults in both.

Refused, naming the variable, its .mod line and the HOC line, where the value cannot be carried
exactly: the model's structure changed since the last run (NEURON reallocated the memory), a GLOBAL
or file-level LOCAL whose instances in bridge's state disagree (NEURON keeps one C variable), one
HOC assigned or a HOC call wrote (`nmodl_calls`: its value is not in the run's state), a GLOBAL
PARAMETER the code assigns, and an artificial cell of a NetCon network.
"""

from __future__ import annotations

import numpy as np

from bridge.hoc.initstate import used_mechanisms


def starts(interp, model, frozen, loc) -> dict:
    """{mechanism: {variable: values (instances first)}}: the carried variables (`analysis.carried`) whose value
    the last run left differs from the one bridge starts the finitialize() at `loc` (its model `frozen`) from;
    refuses what cannot be carried (module docstring)."""
    live = model.live
    if live.first is None:  # the first finitialize(): everything starts from its default, as in NEURON
        return {}
    catalog = model.catalog
    found = []
    for name in sorted(used_mechanisms(model)):
        if name.endswith("_ion") or name not in catalog:
            continue
        calls = catalog.get(name).calls
        found += [(name, c) for c in (calls.carried if calls is not None else ())]
    if not found:
        return {}
    live.flush()  # the last run, as NEURON's memory holds it now
    if live.state is None:
        return {}
    sim = frozen.simulation()
    same = _layout(sim.plan) == _layout(live.plan)
    placed = {i.name for i in sim.plan.mechanisms}
    params = sim.params()
    mechanisms = frozen.mechanisms()
    written = getattr(model, "nmodl_globals", {})
    out: dict = {}
    for name, c in found:
        old = live.state["mech"].get(name, {}).get(c.name)
        if old is None and name not in live.state["mech"]:
            continue  # not in the last run: NEURON allocates it now, from its defaults, as bridge does
        start = _start(params, mechanisms.get(name), name, c.name)
        hoc_wrote = _hoc_wrote(c, name, written)
        if old is not None and not hoc_wrote and _same(old, start) and (same or np.ndim(start) == 0):
            continue  # the value bridge starts from anyway (kept or reallocated, every instance holds the default)
        why = hoc_wrote or _why_not(old, same, name in placed, c, start)
        if why:
            raise interp.refuse(
                f"{name}.{c.name} is read before INITIAL assigns it ({catalog.file_of(name)}:{c.line}), so NEURON's "
                f"finitialize() starts from what the last run left, which bridge does not carry here: {why}", loc)
        value = np.asarray(old, float)
        if not c.range:  # one C variable: every instance reads the one value
            value = np.broadcast_to(value[:1], value.shape).copy()
        out.setdefault(name, {})[c.name] = value
    return out


def _hoc_wrote(c, name: str, written: dict) -> str:
    """Why a GLOBAL or file-level LOCAL `c` of mechanism `name` cannot be carried when HOC assigned it or a HOC
    call wrote it (`nmodl_calls`'s store `written`: NEURON's C variable holds that value, bridge's run does not);
    "" otherwise."""
    hoc_name = f"{c.name}_{name}"
    if not c.range and any(k == hoc_name or k.startswith(hoc_name + "[") for k in written):
        return f"HOC assigned {hoc_name} (or a HOC call wrote it), a value bridge's run does not hold"
    return ""


def _why_not(old, same: bool, placed: bool, c, start) -> str:
    """Why the last run's value `old` of carried `c` cannot be the next run's start ("" when it can)."""
    if old is None:
        return "the run keeps no value of it"
    if not same:
        return "the model's structure changed since the last run, so NEURON reallocated it"
    if not placed:
        return "an artificial cell of a NetCon network"
    if start is None:
        return "a GLOBAL PARAMETER the code assigns (its value is HOC's global)"
    if not c.range:
        a = np.asarray(old, float)
        if a.shape[0] and not all(np.array_equal(a[0], a[k], equal_nan=True) for k in range(1, a.shape[0])):
            return "a GLOBAL or file-level LOCAL (one value in NEURON) whose instances disagree in bridge's run"
    return ""


def apply(params: dict, carry: dict) -> dict:
    """`params` with each carried value (`starts`) as its mechanism's start before INITIAL: a kept ASSIGNED's or an
    assigned PARAMETER's given value (runtime.mechanism `init_events`)."""
    if not carry:
        return params
    mechs = dict(params["mechanisms"])
    for name, values in carry.items():
        mechs[name] = {**mechs.get(name, {}), **values}
    return {**params, "mechanisms": mechs}


def _layout(plan) -> tuple:
    """Where each instance's values lie in a run's state: the nodes, and each mechanism's instances (point
    processes by label)."""
    return (plan.layout.nnode, tuple((i.name, i.size, tuple(getattr(pp, "label", None) for pp in i.point_processes))
                                     for i in plan.mechanisms))


def _start(params: dict, mech, name: str, var: str):
    """The value each instance of `name` starts `var` from in bridge's run (`init_events`), or None."""
    given = params.get("mechanisms", {}).get(name)
    if given is None:
        given = ((params.get("network") or {}).get("cells") or {}).get(name, {})
    if var in given:
        return given[var]
    if mech is None or var in mech.assigned_global_parameters:
        return None  # a GLOBAL PARAMETER starts at the global HOC set: not compared here, refused
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
