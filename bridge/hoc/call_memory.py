"""File-level LOCALs and GLOBAL ASSIGNED arrays that a PROCEDURE called from HOC reads and assigns.

NEURON keeps a file-level LOCAL (`LOCAL frat[4]` outside any block) and a GLOBAL ASSIGNED (`GLOBAL vol`,
`vol[4]`) as one static C variable per mechanism type, shared by all instances and by HOC's calls of the
mechanism's FUNCTIONs and PROCEDUREs (nocmodl without THREADSAFE: nocpout.cpp declares them `static double`).
ModelDB 3263's cadiv.mod fills both in `coord()`, which its `init()` calls from HOC as `coord_cadifus()`
before `finitialize()`; INITIAL then starts on that memory.

bridge keeps such a variable per instance in its run (bridge.nmodl.analysis.shared_globals). What a call
leaves is kept here, stamped like the GLOBAL ASSIGNEDs of `bridge.hoc.nmodl_calls` (the live run's epoch):
- a later call reads it back (0 before anything ran, as NEURON's static memory starts; after a run the value every
  instance holds in the live run, and a refusal where they differ: bridge does not know which one NEURON's last
  instance left);
- it is the value every instance starts INITIAL from at the next finitialize() (`SectionTree.mechanism_memory`,
  `mechanisms.protocol.memory_key`), as NEURON's INITIAL starts on the static memory;
- after a finitialize() it is also written into every instance's copy in the live run, which the running blocks
  read next, as they read NEURON's one variable;
- a later finitialize() is refused unless, in every instance, the live run holds (after its steps) the value
  bridge starts from, for the names INITIAL does not surely assign first (`check_finitialize`): only then is
  NEURON's memory that value.
"""

from __future__ import annotations

import numpy as np

_STORE = "nmodl_call_memory"  # (mech, name) -> (value, stamp): what the last call left
_STARTS = "nmodl_memory_starts"  # mech -> {name: value}: what the last call left, where INITIAL starts


def _stamp(model) -> tuple:
    return (model.initialized is not None, model.live.epoch)


def size_of(info, n: str) -> int:
    """The array size of `n` in the mechanism (0: a scalar)."""
    return int(info.calls.sizes.get(n, 0))


def read(interp, mech: str, info, n: str, label: str, loc):
    """The value `n` holds in NEURON's memory for a call from HOC: a float, or an array of its size."""
    model = interp.model
    size = size_of(info, n)
    found = model.__dict__.get(_STORE, {}).get((mech, n))
    live = model.live
    if found is not None and found[1] == _stamp(model):
        return _as(found[0], size)
    if live.first is None:  # no run yet: what a call left, or NEURON's static memory's 0
        return _as(found[0] if found is not None else 0.0, size)
    same = _live_value(live, mech, n)
    if same is not None:
        return _as(same, size)
    raise interp.refuse(f"{label}: calling it from HOC is not supported here: it reads {_what(info, n)} "
                        f"{n}, which NEURON's run leaves at the value of the last instance it computed; bridge "
                        "keeps it per instance (they differ, or the run has none) and does not know that value", loc)


def _as(value, size: int):
    return np.broadcast_to(np.asarray(value, float), (size,)).copy() if size else float(value)


def is_memory(info, n: str) -> bool:
    """Whether `n` is kept here: a file LOCAL, or a GLOBAL ASSIGNED array."""
    role = info.calls.roles.get(n)
    return role == "file_local" or role == "global_assigned" and bool(size_of(info, n))


def write(interp, mech: str, info, n: str, value, loc) -> None:
    """What the call left in `n`: read back by later calls, and the value INITIAL starts from at the next
    finitialize(); after a finitialize() also every instance's copy in the live run (NEURON's blocks read the
    one C variable the call wrote)."""
    model = interp.model
    size = size_of(info, n)
    kept = tuple(float(x) for x in np.asarray(value, float).reshape(-1)) if size else float(value)
    live = model.live
    if live.first is not None:
        _into_live(interp, live, mech, n, kept, loc)
    model.__dict__.setdefault(_STARTS, {}).setdefault(mech, {})[n] = kept
    model.__dict__.setdefault(_STORE, {})[(mech, n)] = (kept, _stamp(model))
    model.mutations += 1


def _live_value(live, mech: str, n: str):
    """The value every instance of `mech` holds for `n` in the live run (after what HOC asked for so far), or None
    when they differ or the run keeps none. Equal in every instance, it is what NEURON's one C variable holds:
    bridge gives every instance the last one's value where NEURON's instances pass it on
    (bridge.nmodl.analysis.shared_globals), and each computes its own where every block assigns it first."""
    live.flush()
    kept = (live.state or {}).get("mech", {}).get(mech)
    if kept is None or kept.get(n) is None:
        return None
    arr = np.asarray(kept[n], float)
    if arr.shape[0] == 0 or not bool(np.all(arr == arr[0])):
        return None
    return arr[0]


def _into_live(interp, live, mech: str, n: str, kept, loc) -> None:
    import jax.numpy as jnp

    live.flush()  # what HOC asked for so far runs first
    state = live.state
    if state is None or mech not in state.get("mech", {}):
        return  # the mechanism has no instance in the run: only NEURON's C variable holds it
    old = state["mech"][mech].get(n)
    if old is None:
        raise interp.error(f"{mech}: bridge's run keeps no {n} to assign", loc)
    new = jnp.broadcast_to(jnp.asarray(kept, old.dtype), old.shape)
    live.state = {**state, "mech": {**state["mech"], mech: {**state["mech"][mech], n: new}}}
    live.epoch += 1


def _what(info, n: str) -> str:
    return "the file LOCAL" if info.calls.roles.get(n) == "file_local" else "the GLOBAL"


def starts(model) -> dict[str, dict]:
    """mech -> {name: value}: the memory HOC's calls left before the first finitialize() (for the tree)."""
    return {m: dict(v) for m, v in model.__dict__.get(_STARTS, {}).items()}


def check_finitialize(interp, model, loc) -> None:
    """Refuse a finitialize() after a run where the live run holds, in some instance, another value than the one
    bridge starts INITIAL from (what the last HOC call left), for a name INITIAL does not surely assign first."""
    given = model.__dict__.get(_STARTS, {})
    live = model.live
    if not given or live.first is None:
        return
    live.flush()  # the last run, as NEURON's memory holds it now
    state = live.state or {}
    for mech, names in sorted(given.items()):
        kept = state.get("mech", {}).get(mech, {})
        sure = model.catalog.get(mech).calls.initial_sets  # INITIAL assigns them before reading: no start
        for n, value in sorted(names.items()):
            if n in sure:
                continue
            old = kept.get(n)
            same = old is not None and bool(np.array_equal(
                np.asarray(old, float), np.broadcast_to(np.asarray(value, float), np.shape(old)), equal_nan=True))
            if not same:
                raise interp.refuse(
                    f"{mech}.{n}: a HOC call of the mechanism's FUNCTION or PROCEDURE set it, and the run since left "
                    "another value (or none bridge knows); NEURON's finitialize() starts from what the run left (one "
                    "C variable for all instances), bridge from the call's value", loc)
