"""NEURON's scop_random family for generated code (imported as `scop`): `scop_random()`, `normrand(mean, sd)`,
`exprand(mean)`, `poisrand(mean)`, `set_seed(seed)` (src/oc/scoprand.cpp, src/scopmath/normrand.cpp,
exprand.cpp, poisrand.cpp), bit for bit.

NEURON keeps one generator value for the whole process. bridge keeps it in the scope of a mechanism instance,
`s["__scop__#value"]` (a uint32 in a float64); bridge.solver.scop_shared passes the value from instance to
instance and from mechanism type to type in NEURON's order (INITIAL, then per step BREAKPOINT at v + 0.001, at
v, then the SOLVEs; NET_RECEIVE per event).
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

KEY = "__scop__#value"
_A, _C, _MASK = 2147437301, 453816981, 0xFFFFFFFF


def _next(value):
    """One step of scop_random's LCG: (the double, the new value) on uint64 arrays."""
    value = (value * _A + _C) & _MASK
    return jnp.abs(value.astype(jnp.float64) / 4294967295.0), value


def _get(s):
    return jnp.asarray(s[KEY]).astype(jnp.uint64)


def _put(s, value) -> dict:
    out = dict(s)
    out[KEY] = value.astype(jnp.float64)
    return out


def scop_random(s):
    """scop_random(): value = 2147437301 * value + 453816981 (mod 2^32); fabs(value / (2^32 - 1))."""
    x, value = _next(_get(s))
    return x, _put(s, value)


def exprand(s, mean):
    """exprand(mean) = -mean * log(scop_random())."""
    x, s = scop_random(s)
    return -mean * jnp.log(x), s


def normrand(s, mean, sd):
    """normrand(mean, sd): Marsaglia's polar method on scop_random pairs until s < 1; v1 * sqrt(-2 log s / s)."""
    def pair(carry):
        _, _, value = carry
        u1, value = _next(value)
        u2, value = _next(value)
        v1, v2 = 2.0 * u1 - 1.0, 2.0 * u2 - 1.0
        return v1, v1 * v1 + v2 * v2, value

    def body(carry):  # instances whose pair was accepted keep it
        v1, w, value = carry
        n1, nw, nv = pair(carry)
        again = w >= 1.0
        return jnp.where(again, n1, v1), jnp.where(again, nw, w), jnp.where(again, nv, value)

    v1, w, value = lax.while_loop(lambda c: jnp.any(c[1] >= 1.0), body, pair((0.0, 0.0, _get(s))))
    v2 = v1 * jnp.sqrt(-2.0 * jnp.log(w) / w)
    return v2 * sd + mean, _put(s, value)


def poisrand(s, mean):
    """poisrand(mean): the count of scop_random factors while their product stays >= exp(-mean), minus one."""
    bound = jnp.exp(-mean)

    def body(carry):
        n, q, value, going = carry
        x, nv = _next(value)
        return (jnp.where(going, n + 1, n), jnp.where(going, q * x, q), jnp.where(going, nv, value),
                going & (q * x >= bound))

    value = _get(s)
    start = (jnp.zeros_like(value, dtype=jnp.float64), jnp.ones_like(value, dtype=jnp.float64), value,
             jnp.ones_like(value, dtype=bool) & (1.0 >= bound))
    n, _, value, _ = lax.while_loop(lambda c: jnp.any(c[3]), body, start)
    return n - 1.0, _put(s, value)


def set_seed(s, seed) -> dict:
    """set_seed(seed): value = (uint32) seed."""
    seed = jnp.asarray(seed, dtype=jnp.float64)
    return _put(s, jnp.floor(seed).astype(jnp.uint64) & _MASK)
