"""NEURON's one scop_random generator shared by every instance that draws from it (src/oc/scoprand.cpp keeps
one `value` for the process). Each drawing instance keeps the value in its state (`__scop__#value`,
bridge.nmodl.runtime.scoprandom); the solver keeps them all equal to the process value, passing it from instance
to instance and from mechanism type to type in NEURON's order (fadvance.cpp `nrn_finitialize`,
`nrn_fixed_step_thread`, `nrn_fixed_step_lastpart`): at finitialize the thread mechanisms' INITIAL in type
order, then the ARTIFICIAL_CELLs' INITIAL in type order, then the events at t = 0, then one BREAKPOINT pass; in
a step the events <= t + dt/2, nrn_cur's BREAKPOINT of each type in type order (both runs of one instance
first), nrn_state's SOLVEd blocks of each type in type order, then the events <= t + dt. Within a type the
instances run in turn in its Memb_list order (bridge.solver.plan orders point processes as NEURON), and after
each delivered event's NET_RECEIVE the value it left goes on (netcvode.cpp `NetCon::deliver`: one instance at a
time, in delivery order). After every phase (`pass_on`) each drawing instance of every type holds the value the
last draw left, so the next type starts from it."""

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


def drawing(mech_state: dict) -> list[str]:
    """The mechanisms of `mech_state` whose instances draw from scop_random (their state keeps its value)."""
    return [name for name, st in mech_state.items() if isinstance(st, dict) and KEY in st]


def current(mech_state: dict):
    """The generator's value now (every drawing instance holds it: `pass_on`); None when nothing draws."""
    for name in drawing(mech_state):
        value = jnp.asarray(mech_state[name][KEY]).reshape(-1)
        if value.shape[0]:
            return value[0]
    return None


def pass_on(mech_state: dict, name: str) -> dict:
    """After mechanism `name`'s instances drew in turn: the value its last instance left goes to every drawing
    instance of every type (the next type in NEURON's order starts from it)."""
    value = jnp.asarray(mech_state[name][KEY]).reshape(-1)
    if not value.shape[0]:
        return mech_state
    return spread(mech_state, drawing(mech_state), value[-1])
