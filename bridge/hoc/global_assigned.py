"""A GLOBAL ASSIGNED that HOC writes (`foo_mech = 3`, or a FUNCTION HOC calls assigns it) reaching the run.

NEURON keeps a GLOBAL ASSIGNED in one C variable that HOC and every instance read and write (nocmodl
declares it `static double foo_mech`; docs/architecture.md, "shared globals"), so a block that reads it
before assigning it (INITIAL's `if (foo == 0)`, a BREAKPOINT that reads a GLOBAL only HOC sets, a FUNCTION
they call) reads HOC's value. bridge keeps the variable in the run's state, one copy per instance
(`TranslatedMechanism.state_defaults`), so HOC's value is given to the run in two ways:

- while a run is live (after a finitialize()), `written` puts it into every instance's copy (what HOC asked
  for before simulated first), as NEURON's next step reads it; a later finitialize() starts a carried one
  (`bridge.nmodl.analysis.carried`) from there (`bridge.hoc.carried_runs`);
- otherwise (before the first finitialize(), in an FInitializeHandler of type 3 or 0, a mechanism the live
  run does not have) it waits (`ModelState.global_assigned_pending`) for the next finitialize() with the
  mechanism, which starts the variable from it (`starts`).

A variable no unit reads before assigning it, or that INITIAL surely assigns first, does not depend on its
start; one no statement assigns keeps HOC's value in every run: `starts` gives every non-carried one HOC's
last value at every finitialize() (NEURON's C variable holds it).
"""

from __future__ import annotations

import numpy as np

from bridge.hoc.mod_library import is_library_key


def written(interp, mech: str, var: str, value: float, loc) -> None:
    """HOC (or a FUNCTION HOC called) set the GLOBAL ASSIGNED `var` of mechanism `mech` to `value`."""
    if is_library_key(mech):  # a `SUFFIX nothing` library: no instances, no run reads it
        return
    model = interp.model
    model.global_assigned.setdefault(mech, {})[var] = float(value)
    pending = model.global_assigned_pending
    if model.initialized is None or not _into_run(interp, model.live, mech, var, float(value), loc):
        pending.add((mech, var))
    else:
        pending.discard((mech, var))


def _into_run(interp, live, mech: str, var: str, value: float, loc) -> bool:
    """Every instance's copy of `var` in the live run set to `value`, after what was asked for is simulated
    (False: the run has no instance of `mech`)."""
    live.flush()
    if live.state is None or var not in live.state["mech"].get(mech, {}):
        return False
    arr = live.state["mech"][mech][var]
    if np.ndim(arr) != 1:
        raise interp.refuse(f"{var}_{mech} = ...: {var} is a GLOBAL array of {mech}, which bridge's run does not "
                            "take from HOC", loc)
    mstate = {**live.state["mech"], mech: {**live.state["mech"][mech], var: arr.at[:].set(value)}}
    live.state = {**live.state, "mech": mstate}
    live.epoch += 1
    return True


def starts(model, frozen, carry: dict) -> dict:
    """`carry` (`carried_runs.starts`) with HOC's values of the GLOBAL ASSIGNEDs as their starts in the
    finitialize() of the model `frozen` (`bridge.hoc.live.Frozen`): a carried one's when HOC wrote it since the
    last run could hold it, every other one's always (module docstring)."""
    values = model.global_assigned
    if not values:
        return carry
    params = frozen.simulation().params()
    pending = model.global_assigned_pending
    cells = ((params.get("network") or {}).get("cells") or {})
    out = {k: dict(v) for k, v in carry.items()}
    for mech, given in values.items():
        if mech not in params.get("mechanisms", {}) and mech not in cells:
            continue  # not in this run: its value waits for one that has it
        calls = model.catalog.get(mech).calls
        carried = {c.name for c in (calls.carried if calls is not None else ())}
        for var, value in given.items():
            if var not in carried or (mech, var) in pending:
                out.setdefault(mech, {})[var] = value
                pending.discard((mech, var))
    return out
