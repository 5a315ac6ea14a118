"""Where a `Vector.play` writes in the parameters (`apply_plays`): the played values set into a parameter pytree,
for the step (`bridge.solver.stepper`) and for the NET_RECEIVE blocks that read them (`bridge.solver.event_play`)."""

from __future__ import annotations

import jax.numpy as jnp

from bridge.mechanisms.protocol import played_key


def apply_plays(params: dict, setters: tuple, values, on) -> dict:
    """`params` with each played value set where the play has set it (`on`): `setters` are (kind, mechanism
    or global name, variable, instance index) with kind "mech" or "global"; `values`, `on` of shape (n,)."""
    if not setters:
        return params
    mechs = {k: dict(v) for k, v in params["mechanisms"].items()}
    globals_ = dict(params["globals"])
    for j, (kind, name, var, index) in enumerate(setters):
        if kind == "global":
            globals_[name] = jnp.where(on[j], values[j], globals_[name])
        else:
            key = played_key(var) if played_key(var) in mechs[name] else var
            arr = mechs[name][key]
            mechs[name][key] = arr.at[index].set(jnp.where(on[j], values[j], arr[index]))
    return {**params, "mechanisms": mechs, "globals": globals_}
