"""glibc's `exp` bit for bit (`bridge.nmodl.runtime.glibc_exp`, docs/numerics.md section 11) and NEURON's
`hoc_Exp` bounds (`rt.exp`: 0 below -700, exp(700) above 700).

The exp checks compare with this machine's C library (ctypes' libm, the `exp` NEURON's mechanisms call) and
run in a child process with parity arithmetic (`tests/nmodl/parity_child.py`); the cells are ours, run by
NEURON 9 and bridge, and are required equal bit for bit."""

from __future__ import annotations

import ctypes
import functools
import struct
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from bridge.nmodl.runtime import glibc_exp
from tests.nmodl.parity_child import run_with_parity_arithmetic

needs_glibc = pytest.mark.skipif(glibc_exp.c_library_variant() is None, reason="the C library's exp is not glibc's")

EDGES = [0.0, -0.0, 5e-324, -5e-324, 1e-300, 2.0**-54, -(2.0**-54), 2.0**-55, 0.5, -0.5, 1.0, -1.0, 512.0, -512.0,
         1024.0, -1024.0, 700.0, -700.0, 709.782712893384, 709.7827128933841, -708.3964185322641, -708.4,
         -745.1332191019411, -745.1332191019412, -746.0, 800.0, -800.0, 1e308, -1e308, np.inf, -np.inf, np.nan]


def _libm_path() -> Path | None:
    ctypes.CDLL("libm.so.6")
    for line in Path("/proc/self/maps").read_text().splitlines():
        name = line.split()[-1]
        if "/libm.so" in name or "/libm-" in name:
            return Path(name)
    return None


@needs_glibc
def test_table_and_constants_are_the_machine_glibc_data():
    """The derived table (2*128 uint64) is, byte for byte, a block of this machine's libm, and every constant
    of the algorithm sits in the 512 bytes before it (e_exp_data.c's `struct exp_data`)."""
    path = _libm_path()
    if path is None:
        pytest.skip("libm is not a mapped file here")
    blob = path.read_bytes()
    tail, scale = glibc_exp.table()
    at = blob.find(np.stack([tail, scale], axis=1).astype("<u8").tobytes())
    assert at > 0
    head = blob[at - 512:at]
    for value in (glibc_exp.INV_LN2_N, glibc_exp.NEG_LN2_HI_N, glibc_exp.NEG_LN2_LO_N, glibc_exp.SHIFT,
                  glibc_exp.C2, glibc_exp.C3, glibc_exp.C4, glibc_exp.C5):
        assert struct.pack("<d", value) in head, value


def _arguments(n: int) -> np.ndarray:
    rng = np.random.default_rng(2026)
    tiny = np.ldexp(rng.uniform(0.5, 1.0, n // 10), rng.integers(-70, 11, n // 10)) * rng.choice([-1.0, 1.0], n // 10)
    return np.concatenate([rng.uniform(-745.2, 709.8, n), rng.uniform(-40.0, 40.0, n), tiny, EDGES])


def _check_bits(n: int) -> None:
    """Run in the child: glibc_exp under jit and vmap equals ctypes' libm exp bit for bit, its derivative is
    itself, and both copies give PROBES' bits."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    libm = ctypes.CDLL("libm.so.6")
    libm.exp.restype, libm.exp.argtypes = ctypes.c_double, [ctypes.c_double]
    x = _arguments(n)
    with np.errstate(all="ignore"):
        want = np.frompyfunc(libm.exp, 1, 1)(x).astype(np.float64)
    fused = glibc_exp.c_library_variant() == "fused"
    got = np.asarray(jax.jit(lambda a: glibc_exp.exp(a, fused))(x))
    size = x.size - x.size % 8
    batched = np.asarray(jax.jit(jax.vmap(lambda a: glibc_exp.exp(a, fused)))(x[:size].reshape(8, -1))).ravel()
    for name, out, ref in (("jit", got, want), ("vmap", batched, want[:size])):
        differ = (out.view(np.uint64) != ref.view(np.uint64)) & ~(np.isnan(out) & np.isnan(ref))
        print(f"{name}: {int(differ.sum())} of {ref.size} differ")
        assert not differ.any(), x[:ref.size][differ][:10]
    slope = np.asarray(jax.jit(jax.vmap(jax.grad(lambda a: glibc_exp.exp(a, fused))))(x[:1000]))
    assert np.array_equal(slope, got[:1000])
    for arg, bits_fused, bits_plain in glibc_exp.PROBES:
        for copy, bits in ((True, bits_fused), (False, bits_plain)):
            assert np.asarray(glibc_exp.exp(jnp.float64(arg), copy)).view(np.uint64) == bits, (arg, copy)


@needs_glibc
def test_exp_equals_the_c_library_bit_for_bit():
    run_with_parity_arithmetic("from tests.nmodl.test_glibc_exp import _check_bits; _check_bits(100_000)")


def _check_fma(n: int) -> None:
    """Run in the child: the emulated fma equals a*b + c rounded once (exact rational arithmetic) on random
    operands of the magnitudes glibc_exp uses, including sums that cancel almost completely."""
    import jax

    from bridge.nmodl.runtime.fma import fma

    jax.config.update("jax_enable_x64", True)
    rng = np.random.default_rng(7)
    a = np.ldexp(rng.uniform(-1.0, 1.0, n), rng.integers(-760, 740, n))
    b = np.ldexp(rng.uniform(-1.0, 1.0, n), rng.integers(-70, 20, n))
    c = np.ldexp(rng.uniform(-1.0, 1.0, n), rng.integers(-80, 20, n)) * np.abs(a)
    near = rng.random(n) < 0.5  # c within a few ulps of -a*b: the exact low part decides the result
    c[near] = -(a[near] * b[near]) * (1.0 + rng.integers(-4, 5, int(near.sum())) * 2.0**-52)
    got = np.asarray(jax.jit(fma)(a, b, c))
    want = np.array([float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)])
    differ = got != want
    print(f"fma: {int(differ.sum())} of {n} differ")
    assert not differ.any(), list(zip(a[differ], b[differ], c[differ]))[:5]


def test_emulated_fma_rounds_once():
    run_with_parity_arithmetic("from tests.nmodl.test_glibc_exp import _check_fma; _check_fma(20_000)")


def _check_pow() -> None:
    """Run in the child: `rt.pow` of a float64 array and a constant exponent (NMODL's `x^3`) equals ctypes' libm
    pow bit for bit under jit and vmap, 2, -1 and 0.5 included (which LLVM would turn into x*x, 1/x, sqrt)."""
    import jax

    from bridge.nmodl.runtime import libm as rt

    jax.config.update("jax_enable_x64", True)
    libm = ctypes.CDLL("libm.so.6")
    libm.pow.restype, libm.pow.argtypes = ctypes.c_double, [ctypes.c_double, ctypes.c_double]
    x = np.concatenate([np.random.default_rng(3).uniform(-3.0, 3.0, 50_000), [0.0, -0.0, np.inf, -np.inf, np.nan]])
    for y in (2, 3, 4, -1, -2, 0.5, 1.5, 2.0):
        with np.errstate(all="ignore"):
            want = np.frompyfunc(libm.pow, 2, 1)(x, float(y)).astype(np.float64)
        one = functools.partial(rt.pow, y=y)
        for name, f in (("jit", jax.jit(one)), ("vmap", jax.jit(jax.vmap(one)))):
            got = np.asarray(f(x))
            differ = (got.view(np.uint64) != want.view(np.uint64)) & ~(np.isnan(got) & np.isnan(want))
            print(f"x^{y} {name}: {int(differ.sum())} of {x.size} differ")
            assert not differ.any(), x[differ][:10]
    assert float(jax.grad(lambda a: rt.pow(a, 3))(-1.5)) == 3 * 1.5**2


@needs_glibc
def test_pow_equals_the_c_library_bit_for_bit():
    run_with_parity_arithmetic("from tests.nmodl.test_glibc_exp import _check_pow; _check_pow()")
