"""NEURON's one scop_random generator shared by every instance that draws from it (src/oc/scoprand.cpp keeps
one `value` for the process). Each drawing instance keeps the value in its state (`__scop__#value`,
bridge.nmodl.runtime.scoprandom); the solver keeps them all equal to the process value: INITIAL runs the
instances of a drawing mechanism in turn (instance i starts where instance i - 1 left the generator, as
fadvance.cpp `nrn_finitialize` calls a type's `nrn_init` over its instances in order), and after each delivered
event's NET_RECEIVE the value it left goes to every drawing instance (netcvode.cpp `NetCon::deliver`: one
instance at a time, in delivery order). bridge.hoc.randomvars refuses more than one drawing instance for now:
events reaching several instances at the same time come in another order than NEURON's (measured: two artificial
cells starting together), so the draws would differ; with one instance this keeps its value across INITIAL,
NET_RECEIVE and HOC's seed() calls."""

from __future__ import annotations

import jax
import jax.numpy as jnp

KEY = "__scop__#value"  # bridge.nmodl.runtime.scoprandom.KEY


def draws(mechanism) -> bool:
    """Whether a mechanism's instances draw from (or seed) scop_random."""
    return KEY in getattr(mechanism, "random_fields", ())


def in_turn(run, params: dict, n: int, start=None):
    """`run(params)` (a vectorised INITIAL over n instances, returning (state, ...)) as if its instances ran one
    after another on one generator: instance i's start value is instance i - 1's end value (instance 0's:
    `start`, else its own parameter). Returns (run's result, the value the last instance left)."""
    first = jnp.asarray(params[KEY], jnp.float64).reshape(-1)[0] if start is None else start
    starts = jnp.full((n,), first, jnp.float64)

    def body(k, s):  # instance k + 1 starts where instance k ended (each pass fixes one more start)
        return s.at[k + 1].set(run({**params, KEY: s})[0][KEY][k])

    starts = jax.lax.fori_loop(0, n - 1, body, starts) if n > 1 else starts
    out = run({**params, KEY: starts})
    return out, jnp.asarray(out[0][KEY]).reshape(-1)[n - 1]


def state_in_turn(run, state: dict, n: int):
    """`run(state)` (a vectorised step part over n instances, returning (state, ...)) as if its instances ran one
    after another on one generator, as nrn_cur and nrn_state run a type's instances in Memb_list order (node
    order): instance i starts where instance i - 1 left the value every instance holds. Returns run's result with
    the value the last instance left in every instance."""
    if n < 2:
        return run(state)
    starts = jnp.full((n,), jnp.asarray(state[KEY], jnp.float64).reshape(-1)[0], jnp.float64)

    def body(k, s):  # instance k + 1 starts where instance k ended (each pass fixes one more start)
        return s.at[k + 1].set(run({**state, KEY: s.astype(state[KEY].dtype)})[0][KEY][k])

    starts = jax.lax.fori_loop(0, n - 1, body, starts)
    out = run({**state, KEY: starts.astype(state[KEY].dtype)})
    last = jnp.asarray(out[0][KEY]).reshape(-1)[n - 1]
    return ({**out[0], KEY: jnp.full((n,), last, jnp.asarray(out[0][KEY]).dtype)}, *out[1:])


def spread(mech_state: dict, names, value, where=True) -> dict:
    """Every instance of the drawing mechanisms `names` takes the generator's `value` (where `where`)."""
    out = dict(mech_state)
    for name in names:
        st = out.get(name, {})
        if KEY in st:
            out[name] = {**st, KEY: jnp.where(where, jnp.asarray(value, st[KEY].dtype), st[KEY])}
    return out
