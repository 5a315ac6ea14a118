"""The C library's own tanh, sinh, cosh, log10, tan, asin, acos, atan, erf and erfc, elementwise over a float64
array, each as one compiled CPU kernel (XLA FFI calls), for parity arithmetic.

NEURON's compiled mechanisms call the C library's functions; XLA computes its own, and for several of them not
the same bits: of 60,000 arguments XLA's tanh differs from glibc's in 51%, sinh in 57%, cosh in 29% and log10 in
22% (benchmarks/emitter_math.py, benchmarks/results/compile_flags_s23_2026-12-07.txt). Under parity arithmetic
(`bridge.nmodl.runtime.libm_mode`) `libm` gives traced float64 arguments of these functions to these kernels, so
a mechanism computes NEURON's bits by construction, as `native_exp` does for `exp` (docs/numerics.md section 11).
Each kernel runs in the C library's default floating-point environment (subnormals kept, round to nearest), the
caller's restored afterwards. Built and loaded by `bridge.native_build` (the source is this module's constant);
without a compiler, off the CPU backend, or with `BRIDGE_EXP=emulated`, `libm` keeps XLA's functions.
"""

from __future__ import annotations

import math
import os
import threading

import jax
import jax.numpy as jnp

from bridge import native_build

FUNCTIONS = ("tanh", "sinh", "cosh", "log10", "tan", "asin", "acos", "atan", "erf", "erfc")

_KERNEL = r"""
static ffi::Error C_{name}(ffi::Buffer<ffi::F64> x, ffi::ResultBuffer<ffi::F64> y) {{
  const int64_t n = x.element_count();
  if (y->element_count() != n) return ffi::Error::InvalidArgument("bridge_c_{name}: shapes do not match");
  const double* a = x.typed_data();
  double* b = y->typed_data();
  std::fenv_t saved;
  std::feholdexcept(&saved);
  std::fesetenv(FE_DFL_ENV);
  for (int64_t i = 0; i < n; ++i) b[i] = ::{name}(a[i]);
  std::fesetenv(&saved);
  return ffi::Error::Success();
}}
XLA_FFI_DEFINE_HANDLER_SYMBOL(BridgeC_{name}, C_{name},
                              ffi::Ffi::Bind().Arg<ffi::Buffer<ffi::F64>>().Ret<ffi::Buffer<ffi::F64>>());
"""

SOURCE = ("#include <cfenv>\n#include <cmath>\n#include <cstdint>\n#include \"xla/ffi/api/ffi.h\"\n"
          "namespace ffi = xla::ffi;\n" + "".join(_KERNEL.format(name=name) for name in FUNCTIONS))

_LOCK = threading.Lock()
_STATE: dict[str, bool] = {}  # "ok": the targets are registered (True) or cannot be (False)


def target(name: str) -> str:
    """The XLA FFI target of the C library's `name`."""
    return f"bridge_c_{name}"


def available() -> bool:
    """True when the kernels are built and registered with XLA for CPUs (built on the first call)."""
    with _LOCK:
        return native_build.load_once(_STATE, SOURCE, "c_libm",
                                      {f"BridgeC_{name}": target(name) for name in FUNCTIONS})


def usable(x) -> bool:
    """The kernels compute of `x` here: float64, the CPU backend, not `BRIDGE_EXP=emulated`, and built."""
    if os.environ.get("BRIDGE_EXP", "") == "emulated" or jax.default_backend() != "cpu":
        return False
    return getattr(x, "dtype", None) == jnp.float64 and available()


def _call(name: str, x):
    call = jax.ffi.ffi_call(target(name), jax.ShapeDtypeStruct(jnp.shape(x), jnp.float64), vmap_method="expand_dims")
    return call(x)


def _derivative(name: str, x, y):
    """d name(x) / dx, from the argument and the primal result."""
    if name == "tanh":
        return 1.0 - y * y
    if name == "sinh":
        return function("cosh")(x)
    if name == "cosh":
        return function("sinh")(x)
    if name == "log10":
        return 1.0 / (x * math.log(10.0))
    if name == "tan":
        return 1.0 + y * y
    if name in ("asin", "acos"):
        slope = 1.0 / jnp.sqrt(1.0 - x * x)
        return slope if name == "asin" else -slope
    if name == "atan":
        return 1.0 / (1.0 + x * x)
    gauss = (2.0 / math.sqrt(math.pi)) * jnp.exp(-x * x)  # erf and erfc
    return gauss if name == "erf" else -gauss


_FUNCTIONS: dict = {}


def function(name: str):
    """The C library's `name` of a float64 array (`available()` must be True); elementwise, so `jax.vmap`
    passes the batch through; differentiable."""
    if name not in _FUNCTIONS:
        @jax.custom_jvp
        def f(x):
            return _call(name, x)

        @f.defjvp
        def _jvp(primals, tangents):
            (x,), (t,) = primals, tangents
            y = f(x)
            return y, _derivative(name, x, y) * t

        _FUNCTIONS[name] = f
    return _FUNCTIONS[name]
