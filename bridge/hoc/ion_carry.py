"""Ion currents kept across `finitialize()`, as NEURON keeps them.

NEURON's `finitialize` does not zero an ion's current before the INITIAL blocks run: eion.cpp
`ion_init` sets only the concentrations and the reversal potential, and the current is zeroed by
`ion_cur` at the next current evaluation. An INITIAL block that reads the current (the Migliore
calcium pool cacumm.mod: `irest = ica`, read by `cai' = (irest - ica)/...`) therefore sees the
value the last current evaluation left: 0 in a fresh model (`ion_alloc`), else the current of the
last `fcurrent()`, `finitialize()` or step (a model's `proc init()` that calls `finitialize()`,
`fcurrent()`, `finitialize()`).

When a mechanism of the model reads an ion current, `keep` takes those currents from the live run at
each `finitialize()` (per section and segment; a section made since has none: 0, as `ion_alloc`);
`apply` gives them to the tree the run is built from (`<ion>_ion`'s current, read by
`bridge.solver.plan` and `bridge.solver.step.finitialize`), and `digest` adds them to the model's
fingerprint (`bridge.hoc.runcheck`).
"""

from __future__ import annotations

import numpy as np


def reads_ion_current(state) -> bool:
    """Whether a mechanism the model uses READs an ion current (`USEION ca READ ica`)."""
    for name in state.tree.mechanism_names():
        if name.endswith("_ion") or name not in state.catalog:
            continue
        for ion, read, _write, _valence in state.catalog.get(name).ions:
            if f"i{ion}" in read:
                return True
    return False


def keep(state) -> None:
    """At `finitialize()`: the ion currents the live run holds now become the currents the next INITIAL
    blocks read (nothing when no mechanism reads one or nothing was simulated since the session began)."""
    live = state.live
    if not (live.started() or live.pending) or not reads_ion_current(state):
        return
    values = live.values()  # runs what was asked for: NEURON has computed these currents by now
    if not values:
        return
    kept: dict[str, dict[str, np.ndarray]] = {}
    ions = _ions(state)
    for sec in state.tree:
        for j in range(sec.nseg):
            for name, value in values.get((sec.name, j), {}).items():
                if _is_current(name, ions):
                    kept.setdefault(sec.name, {}).setdefault(name, np.zeros(sec.nseg))[j] = value
    state.kept_ion_currents = kept


def _is_current(name: str, ions: set[str]) -> bool:
    """`ina`, `ica`, `ik`, ... (an ion's current as the live run's values name it; `ions`: the model's ions, so a
    mechanism's own range variable `ik_k2` is not taken for the current of an ion `k_k2`)."""
    from bridge.mechanisms import ions as ionlib

    return (name.startswith("i") and name[1:] in ions
            and ionlib.variable_names(name[1:])["cur"] == name)


def _ions(state) -> set[str]:
    """The ions the model's mechanisms use (`USEION`)."""
    out = set()
    for name in state.tree.mechanism_names():
        if not name.endswith("_ion") and name in state.catalog:
            out.update(ion for ion, _read, _write, _valence in state.catalog.get(name).ions)
    return out


def apply(state, tree) -> None:
    """Give the kept currents to `tree` (a copy of HOC's tree) as `<ion>_ion` values of its sections."""
    for sec_name, currents in state.kept_ion_currents.items():
        if sec_name not in tree:
            continue
        sec = tree[sec_name]
        for name, arr in currents.items():
            if len(arr) == sec.nseg:  # the live run had the ion there: it is in the section
                sec.mechanisms.setdefault(f"{name[1:]}_ion", {})[name] = np.array(arr, float)


def digest(state) -> list:
    """The kept currents, for `bridge.hoc.runcheck.fingerprint`."""
    kept = state.kept_ion_currents
    return [(sec, name, np.asarray(arr, float).tobytes())
            for sec in sorted(kept) for name, arr in sorted(kept[sec].items())]
