"""The extracellular block tree solve (`bridge.solver.extracellular.block_solve`) as one compiled CPU kernel.

The level walk in JAX costs a few XLA operations per tree level and step, which on a CPU is most of a step
for the deep trees of myelinated axons (hundreds of levels). This kernel walks the nodes sequentially as
NEURON's `triang`/`bksub` do (src/nrnoc/solve.cpp), with a 3x3 block per node: each block is solved by
Gaussian elimination with partial pivoting. It is built and loaded as `bridge.solver.native_solve`'s kernel
is (the same folder, compiler flags and checks); the source is this module's constant. Without a compiler
the level walk runs.
"""

from __future__ import annotations

import threading

import jax
import jax.numpy as jnp
import numpy as np

from bridge import native_build

TARGET = "bridge_block_solve"

SOURCE = r"""
#include <cmath>
#include <cstdint>
#include <vector>
#include "xla/ffi/api/ffi.h"
namespace ffi = xla::ffi;

// Solve m (3x3, row major) x = rhs (3 x k, row major, k columns) in place by Gaussian elimination with
// partial pivoting; m is overwritten.
static void solve3(double* m, double* rhs, int k) {
  for (int c = 0; c < 3; ++c) {
    int piv = c;
    for (int r = c + 1; r < 3; ++r)
      if (std::fabs(m[r * 3 + c]) > std::fabs(m[piv * 3 + c])) piv = r;
    if (piv != c) {
      for (int j = 0; j < 3; ++j) std::swap(m[c * 3 + j], m[piv * 3 + j]);
      for (int j = 0; j < k; ++j) std::swap(rhs[c * k + j], rhs[piv * k + j]);
    }
    for (int r = c + 1; r < 3; ++r) {
      const double f = m[r * 3 + c] / m[c * 3 + c];
      for (int j = c; j < 3; ++j) m[r * 3 + j] -= f * m[c * 3 + j];
      for (int j = 0; j < k; ++j) rhs[r * k + j] -= f * rhs[c * k + j];
    }
  }
  for (int c = 2; c >= 0; --c) {
    for (int j = 0; j < k; ++j) {
      double s = rhs[c * k + j];
      for (int q = c + 1; q < 3; ++q) s -= m[c * 3 + q] * rhs[q * k + j];
      rhs[c * k + j] = s / m[c * 3 + c];
    }
  }
}

// d (..., n, 3, 3), rhs (..., n, 3), a, b (..., n, 3), parent (n) or (..., n): M[i,i] = d_i, M[i,p] = diag(b_i),
// M[p,i] = diag(a_i). Returns the solution (..., n, 3).
static ffi::Error BlockSolve(ffi::Buffer<ffi::F64> d, ffi::Buffer<ffi::F64> rhs, ffi::Buffer<ffi::F64> a,
                             ffi::Buffer<ffi::F64> b, ffi::Buffer<ffi::S32> parent,
                             ffi::ResultBuffer<ffi::F64> x) {
  // n from rhs's (..., n, 3): under jax.vmap (broadcast_all) parent comes batched like rhs's leading axes
  const auto dims = rhs.dimensions();
  const int64_t n = dims.size() >= 2 ? dims[dims.size() - 2] : 0;
  if (n == 0) return ffi::Error::Success();
  if (d.element_count() % (9 * n) || rhs.element_count() != d.element_count() / 3 ||
      a.element_count() != rhs.element_count() || b.element_count() != rhs.element_count() ||
      (parent.element_count() != n && parent.element_count() * 3 != rhs.element_count()))
    return ffi::Error::InvalidArgument("bridge_block_solve: shapes do not match");
  for (int64_t k = 0; k < parent.element_count(); ++k) {
    if (parent.typed_data()[k] >= k % n)
      return ffi::Error::InvalidArgument("bridge_block_solve: a parent does not precede its node");
  }
  const int64_t batch = d.element_count() / (9 * n);
  const bool pb = parent.element_count() != n;
  std::vector<double> dd(9 * n);
  for (int64_t m = 0; m < batch; ++m) {
    const int32_t* pm = parent.typed_data() + (pb ? m * n : 0);
    const double* dm = d.typed_data() + m * 9 * n;
    const double* am = a.typed_data() + m * 3 * n;
    const double* bm = b.typed_data() + m * 3 * n;
    double* r = x->typed_data() + m * 3 * n;
    for (int64_t i = 0; i < 9 * n; ++i) dd[i] = dm[i];
    for (int64_t i = 0; i < 3 * n; ++i) r[i] = rhs.typed_data()[m * 3 * n + i];
    for (int64_t i = n - 1; i >= 0; --i) {  // triang: fold each node's block into its parent's
      const int32_t p = pm[i];
      if (p < 0) continue;
      double mat[9], cols[12];
      for (int j = 0; j < 9; ++j) mat[j] = dd[9 * i + j];
      for (int q = 0; q < 3; ++q) {
        for (int j = 0; j < 3; ++j) cols[q * 4 + j] = q == j ? bm[3 * i + q] : 0.0;
        cols[q * 4 + 3] = r[3 * i + q];
      }
      solve3(mat, cols, 4);
      for (int q = 0; q < 3; ++q) {
        for (int j = 0; j < 3; ++j) dd[9 * p + 3 * q + j] -= am[3 * i + q] * cols[q * 4 + j];
        r[3 * p + q] -= am[3 * i + q] * cols[q * 4 + 3];
      }
    }
    for (int64_t i = 0; i < n; ++i) {  // bksub: from the roots down
      const int32_t p = pm[i];
      double mat[9], col[3];
      for (int j = 0; j < 9; ++j) mat[j] = dd[9 * i + j];
      for (int q = 0; q < 3; ++q) col[q] = p < 0 ? r[3 * i + q] : r[3 * i + q] - bm[3 * i + q] * r[3 * p + q];
      solve3(mat, col, 1);
      for (int q = 0; q < 3; ++q) r[3 * i + q] = col[q];
    }
  }
  return ffi::Error::Success();
}

XLA_FFI_DEFINE_HANDLER_SYMBOL(BridgeBlockSolve, BlockSolve,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::Buffer<ffi::F64>>());
"""

_LOCK = threading.Lock()
_STATE: dict[str, bool] = {}


def available() -> bool:
    """True when the kernel is built and registered for CPUs (built on the first call, as native_solve's)."""
    with _LOCK:
        return native_build.load_once(_STATE, SOURCE, "block", "BridgeBlockSolve", TARGET)


def solve(D: jax.Array, R: jax.Array, A: jax.Array, B: jax.Array, parent: np.ndarray) -> jax.Array:
    """The block tree solve for float64 D (n,3,3), R, A, B (n,3) on a CPU (`available()` must be True)."""
    call = jax.ffi.ffi_call(TARGET, jax.ShapeDtypeStruct(jnp.shape(R), jnp.float64), vmap_method="broadcast_all")
    return call(D, R, A, B, jnp.asarray(parent, jnp.int32))
