"""bridge's own VecStim (`builtin/vecstim.mod`) with its `times` array sized to a network.

NEURON's VecStim (vecevent.mod) reads a HOC Vector from C. bridge's keeps the times as a per-cell
array parameter `times[n]` (the first `ntimes` entries are used); `bridge.solver.vecstim` gives the
size a network needs and `bridge.Model` asks for the mechanism of that size here.
"""

from __future__ import annotations

from bridge.errors import BridgeError
from bridge.nmodl.load import BUILTIN_DIR, load_text
from bridge.nmodl.runtime.mechanism import TranslatedMechanism

NAME = "VecStim"
_FILE = BUILTIN_DIR / "vecstim.mod"
_DECLARATION = "times[1] (ms)"


def vecstim_mechanism(size: int) -> TranslatedMechanism:
    """bridge's VecStim with `times[size]` (translated once per size; load_text caches)."""
    if size < 1:
        raise BridgeError(f"VecStim: times needs at least one entry, got {size}")
    text = _FILE.read_text()
    if text.count(_DECLARATION) != 1:
        raise BridgeError(f"{_FILE}: the declaration {_DECLARATION!r} is not there once")
    return load_text(text.replace(_DECLARATION, f"times[{int(size)}] (ms)"), str(_FILE))


def is_bridge_vecstim(mech) -> bool:
    """True for bridge's own VecStim (not a model's mechanism of the same name)."""
    return getattr(mech, "name", None) == NAME and getattr(mech, "source_file", "") == str(_FILE)
