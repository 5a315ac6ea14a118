"""The C library's `exp` as a compiled CPU kernel (`bridge.nmodl.runtime.native_exp`): bit for bit the `exp`
NEURON's mechanisms call (ctypes' libm) and glibc's emulation (`glibc_exp`), under jit, vmap and grad, and
used by mechanism code (`rt.exp`, hoc_Exp's bounds kept) under parity arithmetic on CPUs.

The comparisons run in a child process with parity arithmetic (`tests/nmodl/parity_child.py`), as the
validation commands run; test_glibc_exp.py and test_exp_parity.py run NEURON's cells through it."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from bridge.nmodl.runtime import glibc_exp, native_exp
from tests.nmodl.parity_child import run_with_parity_arithmetic
from tests.nmodl.test_glibc_exp import EDGES

pytestmark = pytest.mark.skipif(not native_exp.available(), reason="no C++ compiler: the emulation is used")

# the special ranges of glibc's e_exp.c and hoc_Exp: |x| < 2^-54, 512 <= |x| < 1024 (overflow, subnormal
# results), the -700 cut, |x| >= 1024, inf and NaN
SPECIAL = (("tiny", -70, -54), ("512..1024", 9, 10))


def _arguments(n: int) -> np.ndarray:
    rng = np.random.default_rng(20)
    parts = [rng.uniform(-745.2, 709.8, n), rng.uniform(-40.0, 40.0, n), rng.uniform(-760.0, -690.0, n // 4),
             rng.uniform(-1100.0, 1100.0, n // 4), np.nextafter(-700.0, [-np.inf, np.inf] * 8), np.array(EDGES)]
    for _, lo, hi in SPECIAL:
        m = n // 4
        parts.append(np.ldexp(rng.uniform(0.5, 1.0, m), rng.integers(lo, hi + 1, m)) * rng.choice([-1.0, 1.0], m))
    parts.append(np.ldexp(rng.uniform(0.5, 1.0, 1000), rng.integers(-1074, -1000, 1000)))  # subnormal arguments
    return np.concatenate(parts)


def _differ(out: np.ndarray, ref: np.ndarray) -> np.ndarray:
    return (out.view(np.uint64) != ref.view(np.uint64)) & ~(np.isnan(out) & np.isnan(ref))


def _check_kernel(n: int) -> None:
    """Run in the child: the kernel under jit and vmap equals ctypes' libm exp and the emulation bit for bit,
    and its derivative is itself."""
    import jax

    jax.config.update("jax_enable_x64", True)
    libm = ctypes.CDLL("libm.so.6")
    libm.exp.restype, libm.exp.argtypes = ctypes.c_double, [ctypes.c_double]
    x = _arguments(n)
    with np.errstate(all="ignore"):
        want = np.frompyfunc(libm.exp, 1, 1)(x).astype(np.float64)
    assert ((want > 0) & (want < 2.0**-1022)).sum() > 1000  # subnormal results are among them
    got = np.asarray(jax.jit(native_exp.exp)(x))
    size = x.size - x.size % 8
    batched = np.asarray(jax.jit(jax.vmap(native_exp.exp))(x[:size].reshape(8, -1))).ravel()
    checks = [("jit", got, want), ("vmap", batched, want[:size])]
    variant = glibc_exp.c_library_variant()
    if variant is not None:
        emulated = np.asarray(jax.jit(lambda a: glibc_exp.exp(a, variant == "fused"))(x))
        checks.append(("emulation", emulated, got))
    for name, out, ref in checks:
        bad = _differ(out, ref)
        print(f"{name}: {int(bad.sum())} of {ref.size} differ")
        assert not bad.any(), x[:ref.size][bad][:10]
    normal = np.abs(x[:2000]) < 700.0  # XLA's CPU multiply flushes subnormal products to zero
    slope = np.asarray(jax.jit(jax.vmap(jax.grad(native_exp.exp)))(x[:2000]))
    assert np.array_equal(slope[normal], got[:2000][normal])
    tangent = np.asarray(jax.jvp(native_exp.exp, (x[:2000],), (np.full(2000, 2.0),))[1])
    assert np.array_equal(tangent[normal], got[:2000][normal] * 2.0)


def test_kernel_equals_the_c_library_and_the_emulation_bit_for_bit():
    out = run_with_parity_arithmetic("from tests.nmodl.test_native_exp import _check_kernel; _check_kernel(1_000_000)")
    assert "jit: 0 of" in out and "vmap: 0 of" in out


def _check_mechanism_exp() -> None:
    """Run in the child: under parity arithmetic `rt.exp` of a float64 array calls the kernel (and not with
    BRIDGE_EXP=emulated, nor for float32), keeps hoc_Exp's bounds, and equals the emulated path bit for bit."""
    import os

    import jax
    import jax.numpy as jnp

    from bridge.nmodl.runtime import libm as rt

    jax.config.update("jax_enable_x64", True)
    x = np.concatenate([_arguments(20_000), [-700.0, np.nextafter(-700.0, -np.inf), 700.0, 705.0, -1e4]])

    def hlo(dtype):
        return jax.jit(rt.exp).lower(jnp.asarray(x, dtype)).as_text()

    assert native_exp.TARGET in hlo(jnp.float64) and native_exp.TARGET not in hlo(jnp.float32)
    native = np.asarray(jax.jit(rt.exp)(x))
    os.environ["BRIDGE_EXP"] = "emulated"
    jax.clear_caches()  # the choice is read when a function is traced
    assert native_exp.TARGET not in hlo(jnp.float64)
    emulated = np.asarray(jax.jit(rt.exp)(x))
    del os.environ["BRIDGE_EXP"]
    bad = _differ(native, emulated)
    print(f"rt.exp: {int(bad.sum())} of {x.size} differ")
    assert not bad.any(), x[bad][:10]
    assert np.all(native[x < -700.0] == 0.0) and np.all(native[x > 700.0] == float(rt.exp(700.0)))
    assert float(jax.grad(lambda a: rt.exp(a))(1.5)) == float(rt.exp(1.5))
    assert float(jax.grad(lambda a: rt.exp(a))(-800.0)) == 0.0  # 0 below -700, and its slope


def test_mechanism_exp_uses_the_kernel_under_parity_arithmetic():
    out = run_with_parity_arithmetic("from tests.nmodl.test_native_exp import _check_mechanism_exp\n"
                                     "_check_mechanism_exp()")
    assert "rt.exp: 0 of" in out


def test_not_used_when_switched_off_or_for_float32(monkeypatch):
    """`BRIDGE_EXP=emulated` turns the kernel off; float32 never uses it."""
    import jax

    assert native_exp.usable(np.zeros(3, np.float64)) == (jax.default_backend() == "cpu")
    assert not native_exp.usable(np.zeros(3, np.float32))
    monkeypatch.setenv("BRIDGE_EXP", "emulated")
    assert not native_exp.usable(np.zeros(3, np.float64))
