"""LinearMechanisms coupling many nodes: the whole system of the step solved by a sparse LU, as NEURON's sparse13 does.

`bridge.solver.linear_mechanism` adds the LinearMechanisms to the tree solve as a Schur complement, one tree
solve per coupled unknown each step: right for a few coupled nodes, too slow for hundreds (ModelDB 240957 joins
two cells' periaxonal layers segment by segment: 2810 coupled unknowns). Past `linear_mechanism.MAX_COUPLED`
bridge assembles the step's matrix as NEURON does (nrndae.cpp `NrnDAE::lhs`/`rhs` added to the tree's or the
extracellular block tree's equations, src/nrnoc/treeset.cpp) and solves it with SuperLU (scipy's `splu`, which
jax itself requires; partial pivoting: another elimination order than sparse13's, the same system; round-off
apart, with `REFINE` steps of iterative refinement) through a host callback. The callback has no derivative:
`jax.grad` through such a run raises JAX's error; under `jax.vmap` the members are solved one after another.

Unknowns: `width` per node (1: v; 3 with extracellular: vi, vext[0], vext[1]) in node order, then the extra states.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

MAX_UNKNOWNS = 2_000_000  # the whole system's size: SuperLU's memory grows with it
REFINE = 3  # steps of iterative refinement after the LU solve (ModelDB 240957: 1.6e-4 mV without, 6e-6 with 3)


@dataclass(frozen=True, eq=False)
class Pattern:
    """Where each value of the step's matrix goes (COO rows and columns, duplicates summed), static per plan."""

    size: int
    rows: np.ndarray
    cols: np.ndarray
    k_rows: np.ndarray  # the positions of the LinearMechanisms' (m + e, m + e) entries: the rows of their unknowns
    k_mask: np.ndarray  # (m + e, m + e) bool: the entries c or g makes nonzero (nrndae's MatrixMap: nonzeros only)


def pattern(parent: np.ndarray, width: int, coupled: np.ndarray, extra: int, c: np.ndarray, g: np.ndarray) -> Pattern:
    """The matrix layout for a tree of `parent` (-1 on roots) with `width` unknowns per node, the LinearMechanisms'
    coupled unknowns at flat positions `coupled` (m,) and `extra` extra states after every node's."""
    n = len(parent)
    size = n * width + extra
    if size > MAX_UNKNOWNS:
        from bridge.errors import UnsupportedFeature

        raise UnsupportedFeature(f"LinearMechanisms in a system of {size} unknowns: bridge's sparse solve takes up "
                                 f"to {MAX_UNKNOWNS}")
    base = np.arange(n) * width
    q = np.arange(width)
    diag_r = (base[:, None, None] + q[None, :, None]) + np.zeros((1, 1, width), np.int64)
    diag_c = (base[:, None, None] + q[None, None, :]) + np.zeros((1, width, 1), np.int64)
    child = np.flatnonzero(parent >= 0)
    up_r = (base[child][:, None] + q[None, :]).ravel()  # M[i, p] = b_i (per layer)
    up_c = (base[parent[child]][:, None] + q[None, :]).ravel()
    k_rows = np.concatenate([np.asarray(coupled, np.int64), n * width + np.arange(extra)])
    mask = (np.asarray(c) != 0) | (np.asarray(g) != 0)
    kr, kc = np.nonzero(mask)
    rows = np.concatenate([diag_r.ravel(), up_r, up_c, k_rows[kr]])
    cols = np.concatenate([diag_c.ravel(), up_c, up_r, k_rows[kc]])
    return Pattern(size, rows.astype(np.int64), cols.astype(np.int64), k_rows, mask)


def solve(pat: Pattern, D, A, B, parent: np.ndarray, K, rhs):
    """The solution of the step's system: D (n, width, width) the node blocks, A, B (n, width) the off-diagonal
    coefficients of each node with its parent (M[p, i] = A_i, M[i, p] = B_i per unknown), K (m + e, m + e) the
    LinearMechanisms' cj c + g, rhs (size,) the right-hand side (theirs b - g y included)."""
    child = np.flatnonzero(parent >= 0)
    values = jnp.concatenate([D.reshape(-1), B[child].reshape(-1), A[child].reshape(-1), K[pat.k_mask]])
    rows, cols, size = pat.rows, pat.cols, pat.size

    def host(values, rhs):
        import scipy.sparse
        import scipy.sparse.linalg

        matrix = scipy.sparse.csc_matrix((np.asarray(values, np.float64), (rows, cols)), shape=(size, size))
        b = np.asarray(rhs, np.float64)
        lu = scipy.sparse.linalg.splu(matrix)
        x = lu.solve(b)
        for _ in range(REFINE):  # iterative refinement: the residual solved with the same factors
            x = x + lu.solve(b - matrix @ x)
        return np.asarray(x, rhs.dtype)

    out = jax.ShapeDtypeStruct((size,), rhs.dtype)
    return jax.pure_callback(host, out, values, rhs, vmap_method="sequential")
