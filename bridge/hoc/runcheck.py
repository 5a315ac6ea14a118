"""Whether the model HOC built stayed the same while (and after) NEURON would have run it.

bridge does not simulate while the HOC runs: it records the run (`finitialize`, then
`continuerun`/`fadvance` up to t) and simulates it later with the model as the HOC left it.
That equals NEURON's run only if nothing that shapes the run changed between its first
step and its end (a HOC loop that sets `stim.amp` at each `fadvance()`, a parameter changed
between two `continuerun()`s, dt changed mid-run) and nothing changed after it. A
fingerprint of the model (sections, geometry, mechanisms and their values, point
processes, celsius, dt, secondorder, mechanism globals) is taken when the run advances;
a different one at a later step is an error, and a different one when the model is
handed out marks it (`HocModel.simulate` then refuses, `to_model` is the model as it is).
Between `fadvance()` steps it is taken again only after HOC assigned something.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from bridge.hoc.protocol import RunRequest


@dataclass
class RunFingerprint:
    """The model's fingerprint when `run` last advanced (to `t` [ms]), and `ModelState.mutations` then."""

    run: RunRequest
    digest: str
    t: float
    mutations: int


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
        scalars.append((pp.name, pp.section, pp.x, changed))
    scalars += [(st.section, st.x, st.delay, st.duration, st.amp) for st in state.tree.fstims]
    g = state.globals
    scalars.append((g.get("celsius"), g.get("dt"), g.get("secondorder"), sorted(state.set_globals.items())))
    h = hashlib.sha256(repr(scalars).encode())
    h.update(b"".join(arrays))
    return h.hexdigest()


def _defaults(state, mech: str) -> dict[str, float]:
    try:
        return state.catalog.get(mech).parameters
    except Exception:  # noqa: BLE001 - a mechanism the catalog does not describe: no defaults
        return {}


def advanced(state, t_from: float, t_to: float, loc, interp, every_step: bool = False) -> None:
    """The run advanced from t_from to t_to [ms]: the model must be the one it started with.
    `every_step` (fadvance): the fingerprint is taken again only when HOC assigned something since
    the last step (`state.mutations`), so stepping loops stay cheap."""
    run = state.runs[-1]
    last = state.run_fingerprint if state.run_fingerprint is not None and state.run_fingerprint.run is run else None
    if every_step and last is not None and last.mutations == state.mutations:
        last.t = t_to
        return
    now = fingerprint(state)
    if last is not None and last.digest != now:
        last.mutations = state.mutations
        raise interp.error(
            f"the model changed during its run (after t = {last.t:g} ms: a parameter, mechanism, "
            "stimulus, geometry, celsius or dt); bridge simulates one run with fixed settings from finitialize() "
            "to tstop, so it cannot reproduce this run", loc)
    state.run_fingerprint = RunFingerprint(run, now, t_to, state.mutations)


def changed_after_run(state) -> bool:
    """True when the model differs from the one the last run ended with."""
    last = state.run_fingerprint
    if last is None or not state.runs or last.run is not state.runs[-1]:
        return False
    return last.digest != fingerprint(state)
