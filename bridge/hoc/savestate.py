"""NEURON's `SaveState` class (src/nrniv/savstate.cpp): `ss.save()` keeps the state of bridge's live run,
`ss.restore()` puts it back, t included.

What is kept and put back is what savstate.cpp keeps: t, v at every node, the STATE variables of every
mechanism (`ssi_def`: STATEs only, so ASSIGNED variables keep the values they have at restore), all the
data of a mechanism with a NET_RECEIVE block (its PARAMETERs too: a restore after HOC changed one is
refused, bridge keeping parameters in the model, not the state), and each ion's reversal potential and
concentrations (eion.cpp marks e, ci and co `_AMBIGUOUS`); ion currents are not kept. A run with events
(NetCons, artificial cells: NEURON also restores the event queue, the NetCon weights and the threshold
detectors), with Vector.play or with Vector.record at events (PlayRecord cursors) is refused at restore.
`fwrite`/`fread` (NEURON's binary file, with its internal mechanism type numbers) are refused.
"""

from __future__ import annotations

import numpy as np

from bridge.errors import BridgeError
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import is_number
from bridge.mechanisms import ions as ionlib


def _has_net_receive(mech) -> bool:
    return "net_receive" in getattr(mech, "functions", {})


def _kept(mech, names) -> list[str]:
    """The names of a mechanism's solver state that savstate.cpp keeps: its STATEs, or, with a NET_RECEIVE
    block, its whole data (RANDOM streams and scop_random's value live outside NEURON's data: not kept)."""
    if _has_net_receive(mech):
        skip = set(getattr(mech, "random_fields", ()))
        return [k for k in names if k not in skip]
    return [k for k in names if k in set(mech.states)]


class SaveState(BuiltinObject):
    """`new SaveState()`: one saved state of the live run (the module's docstring)."""

    cls = "SaveState"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self.saved = None  # (t [ms], solver state, layout key, NET_RECEIVE mechanisms' parameters)

    def m_save(self, interp, args, loc):
        from bridge.hoc.stdrun import _freeze

        model = interp.model
        live = model.live
        if model.initialized is None:
            raise interp.error("SaveState.save() before finitialize(): bridge saves the state of its run", loc)
        live.flush()
        if live.state is None:
            raise interp.error("SaveState.save() before finitialize(): bridge saves the state of its run", loc)
        params = _freeze(model).simulation().params()["mechanisms"]
        receivers = {i.name: {k: np.asarray(v).copy() for k, v in params.get(i.name, {}).items()}
                     for i in live.plan.mechanisms if _has_net_receive(i.mechanism)}
        self.saved = (float(model.globals["t"]), live.state, _structure(live.plan), receivers)
        return 1.0

    def m_restore(self, interp, args, loc):
        from bridge.hoc.stdrun import _freeze

        kind = 0
        if args:
            if not is_number(args[0]) or not 0 <= float(args[0]) <= 1:
                raise interp.error("SaveState.restore: arg 1 out of range", loc)
            kind = int(float(args[0]))
        if self.saved is None:
            raise interp.error("SaveState: Stored state inconsistent with current neuron structure "
                               "(nothing was saved)", loc)
        model = interp.model
        live = model.live
        live.flush()
        t, saved, structure, receivers = self.saved
        if live.state is None or _structure(live.plan) != structure:
            raise interp.error("SaveState: Stored state inconsistent with current neuron structure", loc)
        if "events" in live.state or "events" in saved:
            raise interp.refuse("SaveState.restore() in a run with NetCons or artificial cells is not supported: "
                                "NEURON also restores the event queue, the NetCon weights and the threshold "
                                "detectors", loc)
        if live.cursors or live.events():
            raise interp.refuse("SaveState.restore() in a run with Vector.play or Vector.record at events is not "
                                "supported: NEURON also restores their place in their Vectors", loc)
        if receivers:
            params = _freeze(model).simulation().params()["mechanisms"]
            for name, old in receivers.items():
                for k, value in old.items():
                    if not np.array_equal(np.asarray(params[name][k]), value):
                        raise interp.refuse(f"SaveState.restore() after HOC changed {k} of {name}: NEURON puts "
                                            "back the PARAMETERs of a mechanism with a NET_RECEIVE block too, "
                                            "bridge does not", loc)
        try:
            state = _restored(live.plan, live.state, saved, t)
        except BridgeError as err:
            raise interp.error(str(err), loc) from None
        live.state = state
        live.epoch += 1
        model.globals["t"] = t  # restore sets t and each thread's t (no dt2thread at the next step)
        model.thread_t = t
        del kind  # type 1 differs in the network and PlayRecords only, which are refused above
        return 1.0

    def m_fwrite(self, interp, args, loc):
        raise interp.refuse("SaveState.fwrite() is not supported: NEURON's binary state file holds its internal "
                            "mechanism type numbers and record/play cursors, which bridge does not reproduce", loc)

    def m_fread(self, interp, args, loc):
        raise interp.refuse("SaveState.fread() is not supported: NEURON's binary state file holds its internal "
                            "mechanism type numbers and record/play cursors, which bridge does not reproduce", loc)


def _structure(plan) -> tuple:
    """What savstate.cpp `check` compares: the nodes and the mechanisms on them."""
    return (plan.layout.nnode, tuple(plan.layout.section_names),
            tuple((i.name, i.size, np.asarray(i.nodes).tobytes()) for i in plan.mechanisms),
            tuple((s.ion, np.asarray(s.present).tobytes()) for s in plan.ions))


def _restored(plan, now: dict, saved: dict, t: float) -> dict:
    """The solver state `now` with what savstate.cpp `restore` puts back taken from `saved`."""
    import jax.numpy as jnp

    mech = dict(now["mech"])
    for inst in plan.mechanisms:
        cur, old = now["mech"].get(inst.name), saved["mech"].get(inst.name)
        if cur is None or old is None:
            continue
        keep = _kept(inst.mechanism, cur)
        mech[inst.name] = {**cur, **{k: old[k] for k in keep if k in old}}
    ions = {}
    for style in plan.ions:
        names = ionlib.variable_names(style.ion)
        cur, old = now["ions"][style.ion], saved["ions"][style.ion]
        ions[style.ion] = {**cur, **{names[k]: old[names[k]] for k in ("e", "ci", "co") if names[k] in old}}
    return {**now, "t": jnp.asarray(t, jnp.float64), "v": saved["v"], "mech": mech, "ions": ions}
