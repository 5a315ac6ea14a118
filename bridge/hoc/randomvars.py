"""NMODL RANDOM streams as NEURON numbers them, seen from HOC.

NEURON gives every instance of a mechanism with RANDOM variables one stream per variable when it makes
the instance, `nrnran123_newstream()` (src/gnu/nrnran123.cpp): ids (1, 0, n) with n counting every
such stream the process made (nocpout.cpp: the constructor makes them in declaration order). An
`insert` makes a section's instances from its last segment to its first (measured with NEURON 9.0.2:
nseg = 3 gives id3 = 3, 2, 1); a point process makes its own when it is first placed. The streams are
the mechanism's stream parameters (`bridge.nmodl.runtime.randomvars`: `r#c0`, ... per instance).

Refused, because bridge would draw other numbers than NEURON: changing nseg of a section whose
mechanisms have RANDOM streams (NEURON keeps some instances and makes new streams for others), a
second finitialize() of a model with streams (NEURON continues each stream where the last run left
it; bridge starts the run from the streams' parameters), and a Random123 global index other than 0
when a model with streams runs.
"""

from __future__ import annotations

from bridge.hoc.random import model_random, session_random
from bridge.nmodl.streams import random123, randomvars


def _stream_values(model, r: str) -> dict[str, float]:
    state = model_random(model)
    state.streams = (state.streams + 1) & 0xFFFFFFFF
    stream = random123.new_stream(1, 0, state.streams, state.globalindex)
    return dict(zip(randomvars.fields(r), map(float, stream), strict=True))


def on_insert(model, sec, info, was_inserted: bool) -> None:
    """`insert mech` in `sec`: new streams for each segment, last segment first (nothing if already there)."""
    randoms = getattr(info, "randoms", ())
    if not randoms or was_inserted:
        return
    data = sec.data
    for j in reversed(range(data.nseg)):
        x = (j + 0.5) / data.nseg
        for r in randoms:
            for key, value in _stream_values(model, r).items():
                data.set_range(info.name, key, value, x)


def on_place(model, info, params: dict) -> None:
    """A point process placed for the first time: its streams, in declaration order, into `params`."""
    for r in getattr(info, "randoms", ()):
        params.update(_stream_values(model, r))


def check_nseg(interp, sec, catalog, loc) -> None:
    """nseg of a section with RANDOM mechanisms is refused (module docstring)."""
    for mech in sec.data.mechanisms:
        if not mech.endswith("_ion") and mech in catalog and getattr(catalog.get(mech), "randoms", ()):
            raise interp.refuse(f"nseg changed in {sec.name}, where {mech} has RANDOM variables: NEURON would keep "
                                "some streams and make new ones, which bridge does not reproduce; set nseg before "
                                "insert", loc)


def check_finitialize(interp, model, loc) -> None:
    """A second finitialize() with streams, or a global index other than 0 with streams, is refused."""
    state = session_random(interp)
    if not state.streams:
        return
    if state.globalindex != 0:
        raise interp.refuse(f"Random123_globalindex({state.globalindex}) with NMODL RANDOM streams is not "
                            "supported by bridge yet", loc)
    if getattr(model, "_random_initialized", False):
        raise interp.refuse("a second finitialize() of a model with NMODL RANDOM streams: NEURON continues each "
                            "stream where the last run left it, which bridge does not do yet", loc)
    model._random_initialized = True
