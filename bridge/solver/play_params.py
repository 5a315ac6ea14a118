"""Where a `Vector.play` writes in the parameters (`apply_plays`): the played values set into a parameter pytree,
for the step (`bridge.solver.stepper`) and for the NET_RECEIVE blocks that read them (`bridge.solver.event_play`)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from bridge.mechanisms.protocol import played_key

ASSIGNED = ("v", "state")  # setter kinds a play assigns in the state (bridge.hoc.play.ASSIGNS)


def apply_plays(params: dict, setters: tuple, values, on) -> dict:
    """`params` with each played value set where the play has set it (`on`): `setters` are (kind, mechanism
    or global name, variable, instance or node index) with kind "mech", "cm" or "global" (v and STATE plays,
    `ASSIGNED`, are the state's: `bridge.solver.stepper.assign_played`); `values`, `on` of shape (n,)."""
    if not setters:
        return params
    mechs = {k: dict(v) for k, v in params["mechanisms"].items()}
    globals_ = dict(params["globals"])
    cm: Any = params.get("cm")
    for j, (kind, name, var, index) in enumerate(setters):
        if kind in ASSIGNED:
            continue
        if kind == "global":
            globals_[name] = jnp.where(on[j], values[j], globals_[name])
        elif kind == "cm":  # the node's cm: cm*cj at t + dt/2 (fadvance.cpp: played before setup_tree_matrix)
            cm = cm.at[index].set(jnp.where(on[j], values[j], cm[index]))
        else:
            key = played_key(var) if played_key(var) in mechs[name] else var
            arr = mechs[name][key]
            mechs[name][key] = arr.at[index].set(jnp.where(on[j], values[j], arr[index]))
    out = {**params, "mechanisms": mechs, "globals": globals_}
    if cm is not None:
        out["cm"] = cm
    return out
