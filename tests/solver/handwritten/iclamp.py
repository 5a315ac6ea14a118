"""IClamp: NEURON's current clamp point process (stim.mod), an ELECTRODE_CURRENT."""

from __future__ import annotations

from dataclasses import dataclass, field

import jax.numpy as jnp

from bridge.mechanisms.protocol import Env, IonUse, Values


@dataclass(frozen=True)
class IClamp:
    """`i = amp` [nA] while `del <= t < del + dur` [ms], else 0.

    The solver calls `current` at the step midpoint t_n + dt/2, as NEURON's
    fixed step does (stim.mod's bare `at_time(del)` statements change nothing there).
    """

    name: str = "IClamp"
    kind: str = "point"
    electrode_current: bool = True
    range_parameters: dict = field(default_factory=lambda: {"del": 0.0, "dur": 0.0, "amp": 0.0})
    global_parameters: dict = field(default_factory=dict)
    state_defaults: dict = field(default_factory=lambda: {"i": 0.0})
    states: tuple = ()
    ions: tuple[IonUse, ...] = ()

    def prepare(self, env: Env):
        return None

    def init(self, params: Values, state: Values, v, ions: Values, env: Env):
        return {**state, "i": jnp.zeros_like(v)}, {}

    def current(self, params: Values, state: Values, v, ions: Values, env: Env):
        on = (env.t < params["del"] + params["dur"]) & (env.t >= params["del"])
        i = jnp.broadcast_to(jnp.where(on, params["amp"], 0.0), jnp.shape(v))
        return i, {}, {**state, "i": i}

    def advance(self, params: Values, state: Values, v, ions: Values, env: Env):
        return state, {}
