"""pas: NEURON's passive leak, `i = g*(v - e)` (passive.mod)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.mechanisms.protocol import Env, IonUse, Values


@dataclass(frozen=True)
class Pas:
    """Passive leak. Parameters g [S/cm2] (0.001), e [mV] (-70); current i [mA/cm2]."""

    name: str = "pas"
    kind: str = "density"
    electrode_current: bool = False
    range_parameters: dict = field(default_factory=lambda: {"g": 0.001, "e": -70.0})
    global_parameters: dict = field(default_factory=dict)
    state_defaults: dict = field(default_factory=lambda: {"i": 0.0})
    states: tuple = ()
    ions: tuple[IonUse, ...] = ()

    def prepare(self, env: Env):
        return None

    def init(self, params: Values, state: Values, v, ions: Values, env: Env):
        return state, {}

    def current(self, params: Values, state: Values, v, ions: Values, env: Env):
        i = params["g"] * (v - params["e"])
        return i, {}, {**state, "i": i}

    def advance(self, params: Values, state: Values, v, ions: Values, env: Env):
        return state, {}
