"""A finitialize() after a run, with a mechanism that reads what the last run left (`analysis.carried`).

NEURON's finitialize() runs INITIAL on each instance's memory as the last run left it: an ASSIGNED
(a counter, a "last spike time"), a PARAMETER the code assigns or a file-level LOCAL that a block
reads before INITIAL surely assigns it starts the new run from the last run's value (nocmodl's
`initmodel` resets STATEs only). bridge starts every run from the defaults, or from what HOC gave
(`solver.plan.assigned_starts`). The two agree when each such variable holds, at the new
finitialize(), the value bridge starts from (nothing counted, no spike, a clamp that changed
nothing): then the run goes on. Otherwise the finitialize() is refused, naming the variable, its
.mod line and the HOC line. A first finitialize() is exact (both start from the defaults).
"""

from __future__ import annotations

import numpy as np

from bridge.hoc.initstate import used_mechanisms


def check(interp, model, frozen, loc) -> None:
    """Refuse the finitialize() at `loc` (its model `frozen`) when it would start a mechanism from a value the
    last run left that differs from the one bridge starts from."""
    live = model.live
    if live.first is None:  # the first finitialize(): everything starts from its default, as in NEURON
        return
    catalog = model.catalog
    found = []
    for name in sorted(used_mechanisms(model)):
        if name.endswith("_ion") or name not in catalog:
            continue
        calls = catalog.get(name).calls
        found += [(name, c) for c in (calls.carried if calls is not None else ())]
    if not found:
        return
    ran = live.stepped or bool(live.pending) or live.currents_ran
    found = [(name, c) for name, c in found if ran or c.init_writes]  # else nothing changed them since
    if not found:
        return
    live.flush()  # the last run, as NEURON's memory holds it now
    sim = frozen.simulation()
    same = _layout(sim.plan) == _layout(live.plan)
    params = sim.params()
    mechanisms = frozen.mechanisms()
    for name, c in found:
        old = live.state["mech"].get(name, {}).get(c.name)
        if old is None and name not in live.state["mech"]:
            continue  # not in the last run: NEURON allocates it now, from its defaults, as bridge does
        if old is not None and same and _same(old, _start(params, mechanisms.get(name), name, c.name)):
            continue
        why = "" if same or old is None else " (and the model's structure changed, so NEURON reallocated it)"
        raise interp.refuse(
            f"{name}.{c.name} is read before INITIAL assigns it ({catalog.file_of(name)}:{c.line}), so NEURON's "
            f"second finitialize() starts from what the last run left{why}, which bridge does not carry", loc)


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
