"""A fingerprint of the model HOC built: whether it changed since a piece of a run was asked for.

The live run (`bridge.hoc.live`) freezes the model at each `finitialize()`,
`continuerun()` and (after an assignment) `fadvance()`; the fingerprint (sections,
geometry, mechanisms and their values, point processes, NetCons, celsius, dt, secondorder,
mechanism globals) tells whether the frozen copy can be reused, and whether a run can
be simulated again in one piece from the model as HOC left it (`HocSession.model`).
"""

from __future__ import annotations

import hashlib

import numpy as np

from bridge.hoc import ion_carry
from bridge.hoc.setpointer import run_globals


def fingerprint(state) -> str:
    """SHA-256 over everything of the HOC model state that shapes a run."""
    state.sync_sections()
    scalars: list = []
    arrays: list[bytes] = []
    for sec in state.tree:
        scalars.append((sec.name, sec.nseg, sec.L, sec.Ra, sec.parent, sec.parent_x, sec.child_end))
        arrays += [np.asarray(sec.diam, float).tobytes(), np.asarray(sec.cm, float).tobytes()]
        if sec.pt3d is not None:
            arrays.append(np.asarray(sec.pt3d, float).tobytes())
        scalars.append(sorted(sec.pointers.items()))  # setpointer targets (a run reads them)
        for mech, values in sorted(sec.mechanisms.items()):
            scalars.append(mech)
            defaults = _defaults(state, mech)
            for var in sorted(values):  # not set is the default: setting it to the default changes nothing
                arr = sec.get_range(mech, var, defaults.get(var, np.nan))
                if var in defaults and np.all(arr == defaults[var]):
                    continue
                scalars.append(var)
                arrays.append(arr.tobytes())
    for pp in state.tree.point_processes:
        defaults = _defaults(state, pp.name)
        changed = sorted((k, v) for k, v in pp.params.items() if defaults.get(k) != v)
        scalars.append((pp.name, pp.label, pp.section, pp.x, changed, sorted(pp.pointers.items())))
    scalars += [(st.section, st.x, st.delay, st.duration, st.amp) for st in state.tree.fstims]
    for lm in state.tree.linear_mechanisms:  # synced above (bridge.hoc.linear_mechanism)
        scalars.append(("LinearMechanism", lm.sites))
        arrays += [np.asarray(a, float).tobytes() for a in (lm.c, lm.g, lm.b, lm.y0)]
    scalars += ion_carry.digest(state)
    if state.event_objects is not None:  # NetCons (weights, delays, thresholds) and artificial cells
        from bridge.hoc.netcon import network

        scalars.append(repr(network(state.event_objects, state)[0]))
    g = state.globals
    scalars.append((g.get("celsius"), g.get("dt"), g.get("secondorder"), sorted(run_globals(state).items())))
    h = hashlib.sha256(repr(scalars).encode())
    h.update(b"".join(arrays))
    return h.hexdigest()


def _defaults(state, mech: str) -> dict[str, float]:
    try:
        return state.catalog.get(mech).parameters
    except Exception:  # noqa: BLE001 - a mechanism the catalog does not describe: no defaults
        return {}


def changed_since(state, frozen) -> bool:
    """True when the model differs from `frozen` (`bridge.hoc.live.Frozen`), the last piece of its run."""
    return frozen is not None and frozen.digest != fingerprint(state)
