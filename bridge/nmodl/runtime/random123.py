"""NEURON's Random123 streams (Philox4x32-10), bit for bit, as pure functions.

NEURON (src/gnu/nrnran123.cpp) keeps per stream a 4-word counter `c` (c[0] the sequence
number, c[1] id3, c[2] id1, c[3] id2), the 4 words `r = philox4x32(c, k)` and `which`, the
next word of `r` to hand out; the key is (global index, 0), one for the whole process
(`Random123_globalindex`). A draw takes `r[which]`; after the fourth word the counter is
incremented (with carry, as Random123's `r123array::incr`) and `r` recomputed with the key
of that moment.

A stream here is a tuple of 9 numbers `(c0, c1, c2, c3, which, r0, r1, r2, r3)`: Python ints
(HOC's `Random`, exact and fast) or float64 arrays (mechanism state carried through a jitted
step; every value is below 2^32, so float64 holds it exactly). Every draw is a pure function
`(stream, ..., gix) -> (value, stream')`; on arrays all instances draw at once.
The word-to-double rule is nrnran123_dblpick: (u + 1) / (2^32 + 1) as `(u + 1.0) * SHIFT32`.
On Python numbers logs are C's (glibc, as NEURON); on arrays they are XLA's `log`, which may
differ from glibc by an ulp (the uniform words and doubles are exact either way).
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
from jax import lax

_MASK = 0xFFFFFFFF
_M0, _M1 = 0xD2511F53, 0xCD9E8D57  # Random123 philox.h PHILOX_M4x32_0/1
_W0, _W1 = 0x9E3779B9, 0xBB67AE85  # PHILOX_W32_0/1 (the key's Weyl increments)
SHIFT32 = 1.0 / 4294967297.0  # nrnran123.cpp nrnran123_dblpick: 1/(2^32 + 1)

Stream = tuple  # (c0, c1, c2, c3, which, r0, r1, r2, r3)


def philox4x32_10(ctr, key):
    """Philox4x32 with 10 rounds (Random123 philox.h) on 4 counter and 2 key words.

    Words are Python ints or uint64 arrays holding uint32 values (no product overflows 64 bits)."""
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for i in range(10):
        if i:
            k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
        p0, p1 = _M0 * c0, _M1 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & _MASK, (p0 >> 32) ^ c3 ^ k1, p0 & _MASK
    return c0, c1, c2, c3


def _is_py(x) -> bool:
    return isinstance(x, int)


def _words(stream) -> tuple:
    """The stream's numbers as ints (Python) or uint64 arrays (JAX)."""
    if all(_is_py(x) for x in stream):
        return tuple(stream)
    return tuple(jnp.asarray(x).astype(jnp.uint64) for x in stream)


def _out(words, like) -> Stream:
    if _is_py(words[0]) and all(_is_py(x) for x in words):
        return tuple(int(x) for x in words)
    return tuple(jnp.asarray(x).astype(jnp.result_type(float)) for x in words)


def new_stream(id1: int, id2: int = 0, id3: int = 0, gix: int = 0) -> Stream:
    """nrnran123_newstream(id1, id2, id3): counter (0, id3, id1, id2), sequence 0, which 0."""
    return setseq((0, id3 & _MASK, id1 & _MASK, id2 & _MASK, 0, 0, 0, 0, 0), 0, 0, gix)


def setseq(stream: Stream, seq, which, gix) -> Stream:
    """nrnran123_setseq(s, seq, which): which outside 0..3 becomes 0; r recomputed with key gix."""
    w = _words(stream)
    if _is_py(w[0]):
        which = int(which) if 0 <= int(which) <= 3 else 0
        c = (int(seq) & _MASK, w[1], w[2], w[3])
        return (*c, which, *philox4x32_10(c, (int(gix), 0)))
    which = jnp.asarray(which).astype(jnp.int64)
    which = jnp.where((which < 0) | (which > 3), 0, which).astype(jnp.uint64)
    cj = (jnp.asarray(seq).astype(jnp.uint64) & _MASK, w[1], w[2], w[3])
    r = philox4x32_10(cj, (jnp.asarray(gix).astype(jnp.uint64), jnp.uint64(0)))
    return _out((*cj, which, *r), stream)


def setseq4which(stream: Stream, seq4which: float, gix) -> Stream:
    """nrnran123_setseq(s, double): seq4which = seq*4 + which (negative or > 0xffffffffff: 0).

    The NMODLRandom `set_seq` of HOC and NMODL's `random_setseq(r, x)` (a double argument)."""
    x = float(seq4which)
    if x < 0.0 or x > float(0xFFFFFFFFFF):
        x = 0.0
    bits = int(x) & 0x3FFFFFFFF
    return setseq(stream, bits >> 2, bits & 3, gix)


def setids(stream: Stream, id1, id2, id3) -> Stream:
    """nrnran123_setids: the counter's id words; seq, which and r are left as they are."""
    c0, _, _, _, which, r0, r1, r2, r3 = stream
    return (c0, id3, id1, id2, which, r0, r1, r2, r3)


def getids(stream: Stream) -> tuple:
    """(id1, id2, id3) as nrnran123_getids3 reads them (c[2], c[3], c[1])."""
    return stream[2], stream[3], stream[1]


def getseq(stream: Stream) -> tuple:
    """(seq, which) as nrnran123_getseq."""
    return stream[0], stream[4]


def ipick(stream: Stream, gix) -> tuple[Any, Stream]:
    """nrnran123_ipick: the next uint32 word and the advanced stream."""
    w = _words(stream)
    c, which, r = w[:4], w[4], w[5:]
    if _is_py(c[0]):
        value = r[which]
        which += 1
        if which > 3:
            which = 0
            c = _incr(c)
            r = philox4x32_10(c, (int(gix), 0))
        return value, (*c, which, *r)
    value = jnp.select([which == 0, which == 1, which == 2], [r[0], r[1], r[2]], r[3])
    wrap = which >= 3
    c_next = _incr(c)
    r_next = philox4x32_10(c_next, (jnp.asarray(gix).astype(jnp.uint64), jnp.uint64(0)))
    c = tuple(jnp.where(wrap, n, o) for n, o in zip(c_next, c, strict=True))
    r = tuple(jnp.where(wrap, n, o) for n, o in zip(r_next, r, strict=True))
    which = jnp.where(wrap, jnp.uint64(0), which + 1)
    return value, _out((*c, which, *r), stream)


def _incr(c):
    """Random123's r123array4x32::incr(): c[0] + 1 with carry into the next words."""
    if _is_py(c[0]):
        out = list(c)
        for i in range(4):
            out[i] = (out[i] + 1) & _MASK
            if out[i]:
                break
        return tuple(out)
    c0 = (c[0] + 1) & _MASK
    carry0 = c0 == 0
    c1 = jnp.where(carry0, (c[1] + 1) & _MASK, c[1])
    carry1 = carry0 & (c1 == 0)
    c2 = jnp.where(carry1, (c[2] + 1) & _MASK, c[2])
    carry2 = carry1 & (c2 == 0)
    c3 = jnp.where(carry2, (c[3] + 1) & _MASK, c[3])
    return c0, c1, c2, c3


def to_double(u):
    """nrnran123_dblpick's conversion of a word: (u + 1.0) * SHIFT32, in (0, 1)."""
    if _is_py(u):
        return (float(u) + 1.0) * SHIFT32
    return (jnp.asarray(u).astype(jnp.result_type(float)) + 1.0) * SHIFT32


def dblpick(stream: Stream, gix) -> tuple[Any, Stream]:
    """nrnran123_dblpick (and nrnran123_uniform(s)): a double in (0, 1)."""
    u, stream = ipick(stream, gix)
    return to_double(u), stream


def _log(x):
    if isinstance(x, float):
        return math.log(x)  # glibc's log, as NEURON's compiled code
    return jnp.log(x)


def uniform(stream: Stream, gix, a=None, b=None) -> tuple[Any, Stream]:
    """nrnran123_uniform(s) or (s, a, b): a + d * (b - a)."""
    d, stream = dblpick(stream, gix)
    if a is None:
        return d, stream
    return a + d * (b - a), stream


def negexp(stream: Stream, gix, mean=None) -> tuple[Any, Stream]:
    """nrnran123_negexp(s) = -log(d) or (s, mean) = -log(d) * mean."""
    d, stream = dblpick(stream, gix)
    x = -_log(d)
    return (x if mean is None else x * mean), stream


def normal(stream: Stream, gix, mu=None, sigma=None) -> tuple[Any, Stream]:
    """nrnran123_normal: Marsaglia's polar method, pairs drawn until w <= 1, the first
    of the pair returned (the second is discarded); (s, mu, sigma) gives mu + x * sigma."""
    if all(_is_py(x) for x in stream):
        while True:
            u1, stream = dblpick(stream, gix)
            u2, stream = dblpick(stream, gix)
            u1, u2 = 2.0 * u1 - 1.0, 2.0 * u2 - 1.0
            w = u1 * u1 + u2 * u2
            if not w > 1:
                break
        x = u1 * math.sqrt((-2.0 * math.log(w)) / w)
    else:
        def pair(carry):
            _, _, st = carry
            a, st = dblpick(st, gix)
            b, st = dblpick(st, gix)
            a, b = 2.0 * a - 1.0, 2.0 * b - 1.0
            return a, a * a + b * b, st

        def more(carry):
            return jnp.any(carry[1] > 1)

        def body(carry):  # instances whose pair was accepted keep it (and their stream)
            a, w, st = carry
            a2, w2, st2 = pair(carry)
            again = w > 1
            keep = tuple(jnp.where(again, n, o) for n, o in zip(st2, st, strict=True))
            return jnp.where(again, a2, a), jnp.where(again, w2, w), keep

        u1, w, stream = lax.while_loop(more, body, pair((0.0, 0.0, stream)))
        x = u1 * jnp.sqrt((-2.0 * jnp.log(w)) / w)
    if mu is None:
        return x, stream
    return mu + x * sigma, stream
