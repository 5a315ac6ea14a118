"""A fused multiply-add `fma(a, b, c)` = a*b + c rounded once, from float64 operations that each round once.

glibc's `exp` on an x86-64 CPU with FMA is compiled with fused operations (`bridge.nmodl.runtime.glibc_exp`),
while XLA under parity arithmetic has none (`--xla_cpu_max_isa=AVX`, docs/numerics.md section 8), so the
fused operations are emulated exactly:

- `two_prod(a, b)`: p + e = a*b exactly (Dekker's product with Veltkamp's split);
- `two_sum(a, b)`: s + e = a + b exactly (Knuth's two-sum);
- `fma`: Boldo and Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using
  rounding to odd", IEEE Trans. Computers 57(4), 2008: (uh, ul) = a*b, (th, tl) = c + uh, then
  RN(th + RO(tl + ul)), where RO rounds to odd (the neighbour with an odd last bit when inexact).

Exact when nothing overflows (|a|, |b| < 2^995) and the product's error term is not below the normal range
(|a*b| >= 2^-969; XLA's CPU code flushes subnormals to zero). The operations must each round once: the code
is exact only where XLA contracts nothing into FMA, as under parity arithmetic.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

_SPLIT = 134217729.0  # 2^27 + 1: Veltkamp's split of a 53-bit significand into two halves of 26 bits


def _split(a):
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def two_prod(a, b):
    """(p, e) with p = RN(a*b) and p + e = a*b exactly."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def two_sum(a, b):
    """(s, e) with s = RN(a + b) and s + e = a + b exactly."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def _add_round_odd(a, b):
    """a + b rounded to odd: RN(a + b) when exact, else the neighbour of the exact sum whose last bit is 1."""
    s, e = two_sum(a, b)
    bits = jax.lax.bitcast_convert_type(s, jnp.uint64)
    even = (bits & jnp.uint64(1)) == 0
    away = jnp.signbit(e) == jnp.signbit(s)  # the exact sum lies beyond s (larger magnitude): one bit up
    step = jnp.where(away, bits + jnp.uint64(1), bits - jnp.uint64(1))
    return jax.lax.bitcast_convert_type(jnp.where((e != 0) & even, step, bits), jnp.float64)


def fma(a, b, c):
    """a*b + c rounded once to float64 [the arguments' units multiplied]."""
    uh, ul = two_prod(a, b)
    th, tl = two_sum(c, uh)
    return th + _add_round_odd(tl, ul)
