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

from bridge.hoc import call_memory, functable, ion_carry
from bridge.hoc.setpointer import run_globals


def fingerprint(state) -> str:
    """SHA-256 over everything of the HOC model state that shapes a run."""
    return fingerprints(state)[0]


def fingerprints(state) -> tuple[str, str]:
    """(`fingerprint`, the structure digest): the second leaves out the values the live run refreshes in place
    between steps (`bridge.hoc.live_values`: density mechanisms' range values, point processes' parameters,
    celsius and the run's GLOBALs) and keeps which of them are set; everything else is in both."""
    state.sync_sections()
    scalars: list = []
    arrays: list[bytes] = []
    shape: list = []  # the structure digest's items
    geometry: list[bytes] = []  # the structure digest's arrays
    for sec in state.tree:
        scalars.append((sec.name, sec.nseg, sec.L, sec.Ra, sec.parent, sec.parent_x, sec.child_end))
        geometry += [np.asarray(sec.diam, float).tobytes(), np.asarray(sec.cm, float).tobytes()]
        if sec.pt3d is not None:
            geometry.append(np.asarray(sec.pt3d, float).tobytes())
        arrays += geometry[-3 if sec.pt3d is not None else -2:]
        shape.append(scalars[-1])
        # ion styles, setpointer targets and promoted ion values are read by a run: in both digests
        kept = (sec.name, repr(sorted(sec.ion_styles.items())), repr(sorted(sec.pointers.items())))
        shape.append(kept)
        scalars.append(kept)
        promoted = [(ion, np.asarray(lv).tobytes()) for ion, lv in sorted(sec.ion_promoted.items())]
        shape += promoted
        scalars += promoted
        for mech, given in sorted(sec.mechanisms.items()):
            scalars.append(mech)
            shape.append(mech)
            refreshed = live_refreshed(mech)
            defaults = _defaults(state, mech)
            for var in sorted(given):  # not set is the default: setting it to the default changes nothing
                arr = sec.get_range(mech, var, defaults.get(var, np.nan))
                shape.append((mech, var, sec.is_set(mech, var).tobytes()))
                if not refreshed:
                    shape.append(arr.tobytes())
                if var in defaults and np.all(arr == defaults[var]):
                    continue
                scalars.append(var)
                arrays.append(arr.tobytes())
    for pp in state.tree.point_processes:
        defaults = _defaults(state, pp.name)
        changed = sorted((k, v) for k, v in pp.params.items() if defaults.get(k) != v)
        scalars.append((pp.name, pp.label, pp.section, pp.x, changed, repr(sorted(pp.pointers.items()))))
        shape.append((pp.name, pp.label, pp.section, pp.x, sorted(pp.params), repr(sorted(pp.pointers.items()))))
    tail = [(st.section, st.x, st.delay, st.duration, st.amp) for st in state.tree.fstims]
    for lm in state.tree.linear_mechanisms:  # synced above (bridge.hoc.linear_mechanism)
        tail.append(("LinearMechanism", lm.sites, lm.layers))
        geometry += [np.asarray(a, float).tobytes() for a in (lm.c, lm.g, lm.b, lm.y0)]
        arrays += geometry[-4:]
    tail += ion_carry.digest(state)
    tail.append(state.catalog.runtime_keys())  # KSChans: their rates, powers, fractions, the rates' Vectors
    tail.append(sorted((m, sorted(v.items())) for m, v in call_memory.starts(state).items()))  # INITIAL's start
    if state.function_tables:  # NEURON reads a FUNCTION_TABLE's Vector or array as it is now (functabl.cpp)
        for key, table in sorted(functable.resolve(state.function_tables).items()):
            shape, data = table.digest_parts()
            tail.append((key, shape))
            geometry.append(data)
            arrays.append(data)
    if state.event_objects is not None:  # NetCons (weights, delays, thresholds) and artificial cells
        from bridge.hoc.netcon import network

        tail.append(repr(network(state.event_objects, state)[0]))
    scalars += tail
    g = state.globals
    run = sorted(run_globals(state).items())
    scalars.append((g.get("celsius"), g.get("dt"), g.get("secondorder"), run))
    static = [(k, v if k.startswith("usetable") else None) for k, v in run]  # TABLE switches: structure
    shape += tail + [(g.get("dt"), g.get("secondorder"), static)]
    h = hashlib.sha256(repr(scalars).encode())
    h.update(b"".join(arrays))
    s = hashlib.sha256(repr(shape).encode())
    s.update(b"".join(geometry))
    return h.hexdigest(), s.hexdigest()


def live_refreshed(mech: str) -> bool:
    """Whether the live run refreshes the range values of `mech` in place between steps (an ion's values and
    extracellular's are taken as structure: the run rebuilds its plan when they change)."""
    return not mech.endswith("_ion") and mech != "extracellular"


def _defaults(state, mech: str) -> dict[str, float]:
    try:
        return state.catalog.get(mech).parameters
    except Exception:  # noqa: BLE001 - a mechanism the catalog does not describe: no defaults
        return {}


def changed_since(state, frozen) -> bool:
    """True when the model differs from `frozen` (`bridge.hoc.live.Frozen`), the last piece of its run."""
    return frozen is not None and frozen.digest != fingerprint(state)
