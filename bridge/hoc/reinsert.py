"""A density mechanism uninserted from a section and inserted again while a run is live.

NEURON frees the section's instances at `uninsert` and allocates new ones at `insert` (cabcode.cpp
`mech_uninsert1`, `mech_insert1`): until the next finitialize() HOC reads their fresh values, and what HOC
assigns there is what that finitialize() starts from. bridge's live run still holds the old instances, so a
read or an assignment of a value the run keeps (a STATE, an ASSIGNED, a PARAMETER the code assigns) there is
refused until the next finitialize(), which starts the new instances from their defaults
(`bridge.hoc.carried_runs`).
"""

from __future__ import annotations


def on_uninsert(model, sec, mech: str) -> None:
    """HOC uninserts `mech` from `sec` (its instances in the live run are NEURON's no more)."""
    if model.initialized is not None and mech in sec.data.mechanisms:
        model.uninserted.add((id(sec), mech))  # the Sec stays in model.sections: no id reuse


def check(model, interp, sec, mech: str, hoc_name: str, loc) -> None:
    """Refuse HOC's read or assignment of the live run's `hoc_name` at `sec` when `mech` was uninserted there since
    the last finitialize()."""
    if (id(sec), mech) in model.uninserted:
        raise interp.refuse(f"{sec.name}.{hoc_name}: {mech} was uninserted from {sec.name} and inserted again since "
                            "finitialize(); NEURON's new instances hold their fresh values until the next "
                            "finitialize(), bridge's run the old ones", loc)


def finitialized(model) -> None:
    """A finitialize(): the run now has the section's new instances."""
    model.uninserted.clear()
