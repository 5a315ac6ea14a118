"""An ARTIFICIAL_CELL's computed variables (IntFire4r's `m`, `e`: STATEs and ASSIGNEDs) in HOC's live run.

NEURON keeps an artificial cell's variables in its instance data: HOC reads them after finitialize() and after a
run, and what HOC assigns there (ModelDB 115357's `IF[0].m = m0` right after finitialize()) is what the next
NET_RECEIVE sees. bridge's run keeps them in `state["mech"][<mechanism>][<variable>]`, one row per cell of that
mechanism in the network's order (bridge.solver.event_buffer); the cell is found there by its HOC label.
"""

from __future__ import annotations


def _row(live, label: str, mech: str) -> int | None:
    """The row of the cell labelled `label` among the run's cells of mechanism `mech` (None: not in the run)."""
    frozen = live.first
    if frozen is None or frozen.network is None:
        return None
    members = [c for c in frozen.network.cells if c.name == mech]
    for i, cell in enumerate(members):
        if cell.label == label:
            return i
    return None


def read(live, label: str, mech: str, var: str) -> float | None:
    """The cell's `var` in the run now (pending pieces simulated first); None when the run has no value for it."""
    live.flush()
    row = _row(live, label, mech)
    if live.state is None or row is None or var not in live.state["mech"].get(mech, {}):
        return None
    return float(live.state["mech"][mech][var][row])


def assign(live, label: str, mech: str, var: str, value: float) -> bool:
    """HOC assigned the cell's `var` after finitialize(): it goes into the running state (False: the run has no
    such value, or the cell is not in it)."""
    live.flush()
    row = _row(live, label, mech)
    if live.state is None or row is None or var not in live.state["mech"].get(mech, {}):
        return False
    mstate = live.state["mech"]
    from bridge.hoc.state_set import set_at

    values = set_at(mstate[mech][var], row, value)
    live.state = {**live.state, "mech": {**mstate, mech: {**mstate[mech], var: values}}}
    live.epoch += 1
    return True
