"""NMODL RANDOM variables for generated code (imported as `rng`): NEURON's nrnran123 calls on a stream
kept in the mechanism's scope.

A RANDOM variable `r` is 9 per-instance numbers in the scope, `r#c0` ... `r#r3` (`fields(r)`; the
stream of `random123`: counter words, `which`, the Philox words), float64 like every kept variable
(all below 2^32, so exact). They are RANGE parameters (the stream at finitialize, which HOC sets
as NEURON numbers its streams) and kept state (advanced by each draw), so a draw is a pure
function `(scope, r, ...) -> (value, scope')` wherever it runs. The Random123 global index is
`s["__random123_gix__"]` (0 unless the run gives one).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from bridge.nmodl.runtime import random123

FIELDS = ("c0", "c1", "c2", "c3", "which", "r0", "r1", "r2", "r3")
GIX = "__random123_gix__"


def fields(r: str) -> tuple[str, ...]:
    """The scope keys of RANDOM variable `r`."""
    return tuple(f"{r}#{f}" for f in FIELDS)


def default_stream(id1: int = 1, id2: int = 0, id3: int = 0) -> dict[str, float]:
    """Field values of nrnran123_newstream(id1, id2, id3) with global index 0, by field name."""
    return dict(zip(FIELDS, map(float, random123.new_stream(id1, id2, id3)), strict=True))


def _get(s, r: str) -> tuple:
    return tuple(s[k] for k in fields(r))


def _put(s, r: str, stream) -> dict:
    out = dict(s)
    out.update(zip(fields(r), (jnp.asarray(x, dtype=jnp.float64) for x in stream), strict=True))
    return out


def _gix(s) -> Any:
    return s.get(GIX, 0)


def uniform(s, r: str, a=None, b=None):
    """random_uniform(r) or (r, a, b): nrnran123_uniform."""
    x, st = random123.uniform(_get(s, r), _gix(s), a, b)
    return x, _put(s, r, st)


def negexp(s, r: str, mean=None):
    """random_negexp(r) or (r, mean): nrnran123_negexp."""
    x, st = random123.negexp(_get(s, r), _gix(s), mean)
    return x, _put(s, r, st)


def normal(s, r: str, mu=None, sigma=None):
    """random_normal(r) or (r, mu, sigma): nrnran123_normal (sigma a standard deviation)."""
    x, st = random123.normal(_get(s, r), _gix(s), mu, sigma)
    return x, _put(s, r, st)


def ipick(s, r: str):
    """random_ipick(r): nrnran123_ipick, the next 32-bit word as a double."""
    u, st = random123.ipick(_get(s, r), _gix(s))
    return jnp.asarray(u).astype(jnp.float64), _put(s, r, st)


def dpick(s, r: str):
    """random_dpick(r): nrnran123_dblpick."""
    x, st = random123.dblpick(_get(s, r), _gix(s))
    return x, _put(s, r, st)


def setseq(s, r: str, x) -> dict:
    """random_setseq(r, x): nocmodl passes a double, so nrnran123_setseq(s, double): seq = x // 4, which = x % 4
    (negative or above 0xffffffffff: 0)."""
    x = jnp.asarray(x, dtype=jnp.float64)
    x = jnp.where((x < 0) | (x > float(0xFFFFFFFFFF)), 0.0, x)
    bits = jnp.floor(x).astype(jnp.uint64) & jnp.uint64(0x3FFFFFFFF)
    st = random123.setseq(_get(s, r), bits >> 2, bits & 3, _gix(s))
    return _put(s, r, st)


def setids(s, r: str, id1, id2, id3) -> dict:
    """random_setids(r, id1, id2, id3): nrnran123_setids (uint32 casts of the doubles)."""
    ids = [(jnp.asarray(x, dtype=jnp.float64).astype(jnp.uint64) & 0xFFFFFFFF).astype(jnp.float64)
           for x in (id1, id2, id3)]
    return _put(s, r, random123.setids(_get(s, r), *ids))
