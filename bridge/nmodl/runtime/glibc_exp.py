"""glibc's `exp` in JAX, bit for bit: the function NEURON's compiled mechanisms call (through `hoc_Exp`).

glibc 2.28 and later (sysdeps/ieee754/dbl-64/e_exp.c, data in e_exp_data.c; the same algorithm as ARM's
optimized-routines math/exp.c) computes exp(x) = 2^(k/N) * exp(r) with N = 128:

    kd = InvLn2N*x + Shift          (k in the low bits of kd: round to nearest by the shift)
    r  = x + kd*NegLn2hiN + kd*NegLn2loN          (kd less the shift)
    2^(k/N) = scale * (1 + tail)    (scale from the table and k's high bits, tail from the table)
    tmp = tail + r + r^2*(C2 + r*C3) + r^4*(C4 + r*C5)
    exp(x) = scale + scale*tmp

with special cases: |x| < 2^-54 gives 1 + x; 512 <= |x| < 1024 rescales (`specialcase`: results that
overflow, or that are subnormal, rounded once to the subnormal precision); |x| >= 1024, inf and NaN give
0, inf or x + 1. On x86-64 glibc picks, on a CPU with FMA, a copy compiled with `-mfma` (e_exp-fma.c),
where gcc fused every `a*b + c` above except in specialcase's branch for negative k (read from the
disassembly of Debian's glibc 2.36 and confirmed on 2.4 million arguments); elsewhere the plain copy.
Both are here (`fused`); `c_library_variant` says which one this machine's C library is.

Exact only where XLA's own operations round once each (parity arithmetic: no FMA contraction, no algebraic
simplifier; docs/numerics.md sections 8, 10 and 11). XLA's CPU code flushes subnormal operands to zero, so a
subnormal result is built from its bits; NEURON's `hoc_Exp` returns 0 below -700 and never reaches them.
"""

from __future__ import annotations

import decimal
import functools
import math
import struct

import jax
import jax.numpy as jnp
import numpy as np

from bridge.nmodl.runtime.fma import fma

N = 128  # table entries (EXP_TABLE_BITS = 7)
INV_LN2_N = float.fromhex("0x1.71547652b82fep0") * N  # N/ln 2
NEG_LN2_HI_N = -float.fromhex("0x1.62e42fefa0000p-8")  # -ln 2/N, high part (trailing zero bits: kd*hi exact)
NEG_LN2_LO_N = -float.fromhex("0x1.cf79abc9e3b3ap-47")  # -ln 2/N, the rest
SHIFT = float.fromhex("0x1.8p52")  # adding it rounds to an integer kept in the low bits
C2, C3, C4, C5 = (float.fromhex(h) for h in ("0x1.ffffffffffdbdp-2", "0x1.555555555543cp-3",
                                             "0x1.55555cf172b91p-5", "0x1.1111167a4d017p-7"))

# (x, bits of exp(x) in the fused copy, in the plain copy): arguments the two round differently.
PROBES = ((-23.893, 0x3DC7190D7535E261, 0x3DC7190D7535E262), (30.782, 0x42B53EAC12C55C95, 0x42B53EAC12C55C94),
          (-34.709, 0x3CCE63B1D81FBD3D, 0x3CCE63B1D81FBD3E), (-38.742, 0x3C713BAB2D5FD4AB, 0x3C713BAB2D5FD4AC))


def _bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


@functools.cache
def table() -> tuple[np.ndarray, np.ndarray]:
    """(tail bits, scale bits), 128 uint64 each, as e_exp_data.c defines them: 2^(k/N) = H*(1 + T) with H the
    float64 nearest 2^(k/N) and T the float64 nearest (2^(k/N) - H)/H; tail = bits(T), scale = bits(H) - k*2^52/N.
    Derived here in 80-digit decimal arithmetic (the tests find these 2048 bytes in the machine's libm)."""
    ctx = decimal.Context(prec=80)
    tail, scale = np.zeros(N, np.uint64), np.zeros(N, np.uint64)
    for k in range(N):
        p = ctx.power(decimal.Decimal(2), ctx.divide(decimal.Decimal(k), decimal.Decimal(N)))
        h = float(p)
        tail[k] = _bits(float(ctx.divide(ctx.subtract(p, decimal.Decimal(h)), decimal.Decimal(h))))
        scale[k] = _bits(h) - (k << 52) // N
    return tail, scale


@functools.cache
def c_library_variant() -> str | None:
    """'fused' or 'plain': which copy of glibc's exp this machine's C library runs (`math.exp` calls it), from
    `PROBES`; None for another C library (or glibc before 2.28)."""
    got = [_bits(math.exp(x)) for x, _, _ in PROBES]
    if got == [f for _, f, _ in PROBES]:
        return "fused"
    if got == [p for _, _, p in PROBES]:
        return "plain"
    return None


def _u64(v: int):
    return jnp.uint64(v % (1 << 64))


def _as_f64(bits):
    return jax.lax.bitcast_convert_type(bits, jnp.float64)


def _specialcase(tmp, sbits, ki, mad):
    """scale*(1 + tmp) for 512 <= |x| < 1024, as e_exp.c's `specialcase`: k > 0 scales by 2^1009 after (may
    overflow to inf); k < 0 scales by 2^-1022, rounding a subnormal result once to its own precision."""
    s_hi = _as_f64(sbits - _u64(1009 << 52))
    y_pos = mad(s_hi, tmp, s_hi) * 2.0**1009
    s_lo = _as_f64(sbits + _u64(1022 << 52))
    st = s_lo * tmp  # glibc's FMA copy does not fuse this branch either
    y = s_lo + st
    lo = (s_lo - y) + st
    hi = 1.0 + y
    lo = ((1.0 - hi) + y) + lo
    y_sub = (hi + lo) - 1.0  # a multiple of 2^-52 in [0, 1]: 2^-1022 * y_sub has the bits y_sub * 2^52
    sub = _as_f64((y_sub * 2.0**52).astype(jnp.uint64))
    y_neg = jnp.where(y < 1.0, sub, y * 2.0**-1022)
    return jnp.where((ki & _u64(0x80000000)) == 0, y_pos, y_neg)


def _mul_add(a, b, c):
    return a * b + c


def _exp(x, fused: bool):
    mad = fma if fused else _mul_add
    tail_t, scale_t = (jnp.asarray(t) for t in table())
    abstop = (jax.lax.bitcast_convert_type(x, jnp.uint64) >> _u64(52)) & _u64(0x7FF)
    kd = mad(x, INV_LN2_N, SHIFT)
    ki = jax.lax.bitcast_convert_type(kd, jnp.uint64)
    kd = kd - SHIFT
    r = mad(kd, NEG_LN2_LO_N, mad(kd, NEG_LN2_HI_N, x))
    idx = (ki % _u64(N)).astype(jnp.int32)
    tail = _as_f64(jnp.take(tail_t, idx))
    sbits = jnp.take(scale_t, idx) + (ki << _u64(52 - 7))  # wraps as C's uint64 does
    r2 = r * r
    tmp = mad(r2, mad(r, C3, C2), tail + r)
    tmp = mad(r2 * r2, mad(r, C5, C4), tmp)
    scale = _as_f64(sbits)
    y = jnp.where(abstop == 0x408, _specialcase(tmp, sbits, ki, mad), mad(scale, tmp, scale))
    huge = jnp.where(x == -jnp.inf, 0.0, jnp.where(abstop == 0x7FF, 1.0 + x, jnp.where(jnp.signbit(x), 0.0, jnp.inf)))
    y = jnp.where(abstop >= 0x409, huge, y)
    return jnp.where(abstop < 0x3C9, 1.0 + x, y)


# Traced once per shape and copy: a mechanism calls exp many times, and tracing its ~60 operations (the
# emulated FMAs) on every call cost ~0.1 s each, most of a model's first run (docs/performance.md). XLA
# inlines the call when it compiles, so the operations, and the bits, are the same.
_exp_jit = jax.jit(_exp, static_argnums=1)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def exp(x, fused: bool):
    """glibc's exp(x) of a float64 array [x dimensionless]; `fused` picks the copy compiled with FMA."""
    return _exp_jit(x, fused)


@exp.defjvp
def _exp_jvp(fused, primals, tangents):
    (x,), (t,) = primals, tangents
    y = exp(x, fused)
    return y, y * t
