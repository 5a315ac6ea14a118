"""The C library's own `exp`, elementwise over a float64 array, as one compiled CPU kernel (an XLA FFI call).

Under parity arithmetic traced `exp` must give the bits of the C library's `exp`, the function NEURON's
compiled mechanisms call (through `hoc_Exp`, src/oc/math.cpp). `bridge.nmodl.runtime.glibc_exp` emulates
glibc's algorithm in ~60-150 XLA operations, which XLA takes 19-35 s to compile for 30 calls
(docs/performance.md). This kernel instead calls the machine's `exp` itself, element by element: NEURON's
bits by construction, and nothing for XLA to compile but a call. XLA's CPU threads flush subnormal numbers
to zero; the kernel runs each call in the C library's default floating-point environment (restored
afterwards), as NEURON does, so subnormal results and arguments are the C library's too.

`hoc_Exp`'s bounds (0 below -700, exp(700) above) stay in `libm.exp`, around the call. The kernel is built
and loaded by `bridge.native_build` (the source is this module's constant). It is used on the CPU backend
for float64 under parity arithmetic (`libm._c_exp`); without a compiler, on other backends, or with
`BRIDGE_EXP=emulated`, the emulation is. Read when a mechanism is traced.
"""

from __future__ import annotations

import os
import threading

import jax
import jax.numpy as jnp

from bridge import native_build

TARGET = "bridge_c_exp"

SOURCE = r"""
#include <cfenv>
#include <cmath>
#include <cstdint>
#include "xla/ffi/api/ffi.h"
namespace ffi = xla::ffi;

// y = exp(x) elementwise, the C library's exp (what NEURON's hoc_Exp calls), in the default floating-point
// environment (no flush of subnormals to zero, round to nearest), the caller's restored afterwards.
static ffi::Error CExp(ffi::Buffer<ffi::F64> x, ffi::ResultBuffer<ffi::F64> y) {
  const int64_t n = x.element_count();
  if (y->element_count() != n) return ffi::Error::InvalidArgument("bridge_c_exp: shapes do not match");
  const double* a = x.typed_data();
  double* b = y->typed_data();
  std::fenv_t saved;
  std::feholdexcept(&saved);
  std::fesetenv(FE_DFL_ENV);
  for (int64_t i = 0; i < n; ++i) b[i] = ::exp(a[i]);
  std::fesetenv(&saved);
  return ffi::Error::Success();
}

XLA_FFI_DEFINE_HANDLER_SYMBOL(BridgeCExp, CExp,
                              ffi::Ffi::Bind().Arg<ffi::Buffer<ffi::F64>>().Ret<ffi::Buffer<ffi::F64>>());
"""

_LOCK = threading.Lock()
_STATE: dict[str, bool] = {}  # "ok": the target is registered (True) or cannot be (False)


def available() -> bool:
    """True when the kernel is built and registered with XLA for CPUs (built on the first call)."""
    with _LOCK:
        return native_build.load_once(_STATE, SOURCE, "c_exp", "BridgeCExp", TARGET)


def usable(x) -> bool:
    """The kernel computes `exp` of `x` here: float64, the CPU backend, not `BRIDGE_EXP=emulated`, and built."""
    if os.environ.get("BRIDGE_EXP", "") == "emulated" or jax.default_backend() != "cpu":
        return False
    return getattr(x, "dtype", None) == jnp.float64 and available()


@jax.custom_jvp
def exp(x):
    """The C library's exp(x) of a float64 array [x dimensionless] (`available()` must be True); elementwise,
    so `jax.vmap` passes the batch through."""
    call = jax.ffi.ffi_call(TARGET, jax.ShapeDtypeStruct(jnp.shape(x), jnp.float64), vmap_method="expand_dims")
    return call(x)


@exp.defjvp
def _exp_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    y = exp(x)
    return y, y * t  # d exp(x) = exp(x) dx, from the primal result


