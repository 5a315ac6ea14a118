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

The nodes are visited level by level (`elimination_order`: the deepest level first, each
level in decreasing node index) instead of in NEURON's decreasing index order. Every node
still sees exactly NEURON's operations: its children are eliminated before it, and the
children of one parent update it in NEURON's order (decreasing index), so each `d` and `rhs`
is the same sum in the same order; the back substitution needs only each parent before its
children. What changes is the dependency chain the CPU sees: NEURON's order walks each cable
node after node, every division waiting for the one before; within a level no node depends on
another, so the divisions overlap (benchmarks/results/batch_cpu_s26_2026-12-08.txt).

The source is this module's constant, never anything from a model file. It is built and
loaded by `bridge.native_build` (kept in `native/` of bridge's compilation cache folder, mode
0700, keyed by a hash of the source, the compiler flags and jaxlib's version, loaded only from
a folder the user owns that nobody else may write). Without a compiler (or on any build failure) the
level walk is used: same arithmetic, no native code. `BRIDGE_TREE_SOLVE=loop|unrolled`
turns the kernel off.
"""

from __future__ import annotations

import threading

import jax
import jax.numpy as jnp
import numpy as np

# the build and load, shared with nmodl.runtime's exp kernel (names kept for callers and tests)
from bridge.native_build import FLAGS, build, load_once, native_dir, register  # noqa: F401

TARGET = "bridge_hines_solve"

SOURCE = r"""
#include <cstdint>
#include <vector>
#include "xla/ffi/api/ffi.h"
namespace ffi = xla::ffi;

// NEURON's triang and bksub (src/nrnoc/solve.cpp) for each batch member: d, rhs (..., n); a, b, parent,
// order (n) or batched like d. `order`: the non-root nodes, each after all of its children, the children of
// one parent in decreasing index (triang visits it first to last, bksub last to first). Returns the solution
// (NEURON's new rhs).
static ffi::Error HinesSolve(ffi::Buffer<ffi::F64> d, ffi::Buffer<ffi::F64> rhs, ffi::Buffer<ffi::F64> a,
                             ffi::Buffer<ffi::F64> b, ffi::Buffer<ffi::S32> parent, ffi::Buffer<ffi::S32> order,
                             ffi::ResultBuffer<ffi::F64> x) {
  const auto dims = d.dimensions();
  const int64_t n = dims.size() ? dims.back() : 1;
  if (n == 0) return ffi::Error::Success();
  const int64_t batch = d.element_count() / n;
  const bool ab = a.element_count() != n, bb = b.element_count() != n, pb = parent.element_count() != n;
  const auto odims = order.dimensions();
  const int64_t no = odims.size() ? odims.back() : order.element_count();
  const bool ob = order.element_count() != no;
  std::vector<double> dd(n);
  // every parent precedes its child (bridge's node order, as NEURON's): checked before any write,
  // so a malformed tree is an error, never a write outside the buffers
  for (int64_t k = 0; k < parent.element_count(); ++k) {
    const int32_t p = parent.typed_data()[k];
    if (p >= k % n) return ffi::Error::InvalidArgument("bridge_hines_solve: a parent does not precede its node");
  }
  for (int64_t k = 0; k < order.element_count(); ++k) {
    const int32_t i = order.typed_data()[k];
    if (i < 0 || i >= n) return ffi::Error::InvalidArgument("bridge_hines_solve: a node outside the tree");
  }
  for (int64_t m = 0; m < batch; ++m) {
    const double* dm = d.typed_data() + m * n;
    const double* rm = rhs.typed_data() + m * n;
    const double* am = a.typed_data() + (ab ? m * n : 0);
    const double* bm = b.typed_data() + (bb ? m * n : 0);
    const int32_t* pm = parent.typed_data() + (pb ? m * n : 0);
    const int32_t* om = order.typed_data() + (ob ? m * no : 0);
    double* r = x->typed_data() + m * n;
    for (int64_t i = 0; i < n; ++i) {
      dd[i] = dm[i];
      r[i] = rm[i];
    }
    for (int64_t k = 0; k < no; ++k) {  // triang
      const int32_t i = om[k];
      const int32_t p = pm[i];
      if (p < 0) continue;
      const double f = am[i] / dd[i];
      dd[p] -= f * bm[i];
      r[p] -= f * r[i];
    }
    for (int64_t i = 0; i < n; ++i) {  // bksub: the roots, then the others, each after its parent
      if (pm[i] < 0) r[i] = r[i] / dd[i];
    }
    for (int64_t k = no - 1; k >= 0; --k) {
      const int32_t i = om[k];
      const int32_t p = pm[i];
      if (p < 0) continue;
      r[i] = (r[i] - bm[i] * r[p]) / dd[i];
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
                                  .Arg<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::Buffer<ffi::F64>>());
"""

_LOCK = threading.Lock()
_STATE: dict[str, bool] = {}  # "ok": the target is registered (True) or cannot be (False)

def available() -> bool:
    """True when the kernel is built and registered with XLA for CPUs (built on the first call)."""
    with _LOCK:
        return load_once(_STATE, SOURCE, "hines", "BridgeHinesSolve", TARGET)


def elimination_order(parent: np.ndarray) -> np.ndarray:
    """The non-root nodes in the order the kernel's triang visits them: the deepest level first, each level in
    decreasing node index (so each node follows its children, and one parent's children come in NEURON's
    decreasing order). parent: (n,) int, -1 on roots, every parent before its node."""
    parent = np.asarray(parent, np.int64)
    depth = np.zeros(len(parent), np.int64)
    for i, p in enumerate(parent):  # parents precede their nodes: one pass (the kernel refuses any other tree)
        if 0 <= p < i:
            depth[i] = depth[p] + 1
    nodes = np.flatnonzero(parent >= 0)
    return nodes[np.lexsort((-nodes, -depth[nodes]))].astype(np.int32)


def solve(d: jax.Array, rhs: jax.Array, a: jax.Array, b: jax.Array, parent: np.ndarray) -> jax.Array:
    """NEURON's triang/bksub for float64 (..., n) arrays on a CPU (`available()` must be True); under
    `jax.vmap` each member is solved in turn. parent: (n,) int, -1 on roots."""
    call = jax.ffi.ffi_call(TARGET, jax.ShapeDtypeStruct(jnp.shape(d), jnp.float64), vmap_method="broadcast_all")
    return call(d, rhs, a, b, jnp.asarray(parent, jnp.int32), jnp.asarray(elimination_order(parent)))
