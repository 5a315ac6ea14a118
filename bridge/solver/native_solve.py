"""NEURON's Hines elimination as one compiled CPU kernel (an XLA FFI custom call).

On a CPU the level walk of `bridge.solver.tree_solve` costs about 12 XLA operations per
tree level (a gather, arithmetic, a scatter, the loop's bookkeeping), each ~70 ns of
dispatch: 40 us per solve for the 993-compartment benchmark cell, three quarters of its
step (docs/performance.md). This module instead runs NEURON's own sequential `triang`
and `bksub` (src/nrnoc/solve.cpp; docs/numerics.md, section 3) over the nodes, one batch
member after another, in a small C++ function compiled once per machine with the C++
compiler and XLA's FFI headers that jaxlib ships. The operations and their order are
NEURON's, node by node, compiled without contraction into FMA (`-ffp-contract=off`), so
the solution equals `tree_solve.hines_solve_reference` bit for bit.

The source is this module's constant, never anything from a model file. The shared
library is kept in `native/` of bridge's compilation cache folder (`compile_cache`: mode
0700, the file renamed into place; without that cache, in a temporary folder removed once the
library is loaded, so nothing is left behind), keyed by a hash of
the source, the compiler flags and jaxlib's version, and loaded only from a folder the
user owns that nobody else may write. Without a compiler (or on any build failure) the
level walk is used: same arithmetic, no native code. `BRIDGE_TREE_SOLVE=loop|unrolled`
turns the kernel off.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import threading

import jax
import jax.numpy as jnp
import numpy as np

TARGET = "bridge_hines_solve"

SOURCE = r"""
#include <cstdint>
#include <vector>
#include "xla/ffi/api/ffi.h"
namespace ffi = xla::ffi;

// NEURON's triang and bksub (src/nrnoc/solve.cpp) for each batch member: d, rhs (..., n); a, b, parent
// (n) or batched like d. Returns the solution (NEURON's new rhs).
static ffi::Error HinesSolve(ffi::Buffer<ffi::F64> d, ffi::Buffer<ffi::F64> rhs, ffi::Buffer<ffi::F64> a,
                             ffi::Buffer<ffi::F64> b, ffi::Buffer<ffi::S32> parent,
                             ffi::ResultBuffer<ffi::F64> x) {
  const auto dims = d.dimensions();
  const int64_t n = dims.size() ? dims.back() : 1;
  if (n == 0) return ffi::Error::Success();
  const int64_t batch = d.element_count() / n;
  const bool ab = a.element_count() != n, bb = b.element_count() != n, pb = parent.element_count() != n;
  std::vector<double> dd(n);
  // every parent precedes its child (bridge's node order, as NEURON's): checked before any write,
  // so a malformed tree is an error, never a write outside the buffers
  for (int64_t k = 0; k < parent.element_count(); ++k) {
    const int32_t p = parent.typed_data()[k];
    if (p >= k % n) return ffi::Error::InvalidArgument("bridge_hines_solve: a parent does not precede its node");
  }
  for (int64_t m = 0; m < batch; ++m) {
    const double* dm = d.typed_data() + m * n;
    const double* rm = rhs.typed_data() + m * n;
    const double* am = a.typed_data() + (ab ? m * n : 0);
    const double* bm = b.typed_data() + (bb ? m * n : 0);
    const int32_t* pm = parent.typed_data() + (pb ? m * n : 0);
    double* r = x->typed_data() + m * n;
    for (int64_t i = 0; i < n; ++i) {
      dd[i] = dm[i];
      r[i] = rm[i];
    }
    for (int64_t i = n - 1; i >= 0; --i) {  // triang
      const int32_t p = pm[i];
      if (p < 0) continue;
      const double f = am[i] / dd[i];
      dd[p] -= f * bm[i];
      r[p] -= f * r[i];
    }
    for (int64_t i = 0; i < n; ++i) {  // bksub
      const int32_t p = pm[i];
      r[i] = p < 0 ? r[i] / dd[i] : (r[i] - bm[i] * r[p]) / dd[i];
    }
  }
  return ffi::Error::Success();
}

XLA_FFI_DEFINE_HANDLER_SYMBOL(BridgeHinesSolve, HinesSolve,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::Buffer<ffi::F64>>());
"""

FLAGS = ("-O2", "-std=c++17", "-shared", "-fPIC", "-ffp-contract=off", "-fno-fast-math", "-w")

_LOCK = threading.Lock()
_STATE: dict[str, bool] = {}  # "ok": the target is registered (True) or cannot be (False)


def native_dir() -> str | None:
    """The folder the kernel is kept in: `native/` in bridge's compilation cache folder when bridge turned
    that cache on (`bridge.solver.compile_cache`), else None (built in a temporary folder, removed once
    loaded: `BRIDGE_NO_JAX_CACHE=1` or the user's own JAX cache folder leave nothing behind)."""
    from bridge.solver import compile_cache

    return os.path.join(compile_cache._ENABLED[0], "native") if compile_cache._ENABLED else None


def _private(path: str) -> bool:
    """The folder is ours and nobody else may write in it (a library loaded from it runs as us)."""
    st = os.stat(path)
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def build(folder: str, source: str, stem: str) -> str | None:
    """The shared library of C++ `source` in `folder` (named `stem` and a digest of the source, the flags and
    jaxlib's version), compiled on first use; None when it cannot be built."""
    cxx = shutil.which("c++") or shutil.which("g++")
    if cxx is None:
        return None
    import jaxlib

    key = hashlib.sha256("\0".join((source, *FLAGS, jaxlib.__version__)).encode()).hexdigest()[:20]
    lib = os.path.join(folder, f"{stem}_{key}.so")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not _private(folder):
        return None
    if os.path.exists(lib):
        return lib
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        src = os.path.join(tmp, f"{stem}.cc")
        with open(src, "w") as fh:
            fh.write(source)
        out = os.path.join(tmp, f"{stem}.so")
        cmd = [cxx, *FLAGS, "-I", jax.ffi.include_dir(), src, "-o", out]
        proc = subprocess.run(cmd, capture_output=True, timeout=300, check=False)
        if proc.returncode != 0 or not os.path.exists(out):
            return None
        os.replace(out, lib)  # atomic: a concurrent process sees the whole file or none
    return lib


def register(lib: str, symbol: str, target: str) -> None:
    """Load `lib` and register its FFI handler `symbol` as the CPU target `target`."""
    handle = ctypes.cdll.LoadLibrary(lib)
    jax.ffi.register_ffi_target(target, jax.ffi.pycapsule(getattr(handle, symbol)), platform="cpu")
    # a batch sharded over devices (Simulation.run_batch): each device solves its own members
    jax.ffi.register_ffi_target_as_batch_partitionable(target)


def load_once(state: dict[str, bool], source: str, stem: str, symbol: str, target: str) -> bool:
    """Build and register a kernel once per process (`state` remembers the outcome; call under a lock)."""
    if "ok" not in state:
        ok = False
        try:
            folder = native_dir()
            if folder is not None:
                lib = build(folder, source, stem)
                if lib is not None:
                    register(lib, symbol, target)
                    ok = True
            else:
                with tempfile.TemporaryDirectory() as tmp:  # private (0700); the loaded library stays mapped
                    lib = build(os.path.join(tmp, "native"), source, stem)
                    if lib is not None:
                        register(lib, symbol, target)
                        ok = True
        except (OSError, subprocess.SubprocessError, AttributeError, ValueError, RuntimeError):
            ok = False
        state["ok"] = ok
    return state["ok"]


def available() -> bool:
    """True when the kernel is built and registered with XLA for CPUs (built on the first call)."""
    with _LOCK:
        return load_once(_STATE, SOURCE, "hines", "BridgeHinesSolve", TARGET)


def solve(d: jax.Array, rhs: jax.Array, a: jax.Array, b: jax.Array, parent: np.ndarray) -> jax.Array:
    """NEURON's triang/bksub for float64 (..., n) arrays on a CPU (`available()` must be True); under
    `jax.vmap` each member is solved in turn. parent: (n,) int, -1 on roots."""
    call = jax.ffi.ffi_call(TARGET, jax.ShapeDtypeStruct(jnp.shape(d), jnp.float64), vmap_method="broadcast_all")
    return call(d, rhs, a, b, jnp.asarray(parent, jnp.int32))
