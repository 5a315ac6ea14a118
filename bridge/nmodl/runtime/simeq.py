"""scopmath simeq at run time: Gaussian elimination with partial pivoting, as NEURON rounds it.

nocmodl solves a LINEAR block with scopmath `simeq` (src/scopmath/simeq.hpp): for each
column j the pivot is the first row (in the current order) with the largest |entry|, the
pivot row is swapped into place (simeq swaps indices in `perm`; swapping rows does the same
operations on the same numbers), divided by its pivot, and subtracted from the rows below;
then back substitution, `x_i = b_i - sum_j a_ij x_j` in increasing j. A pivot below
ROUNDOFF (1e-20) is simeq's SINGULAR: NEURON stops the run (abort_run); here the solution
is NaN, which bridge's run reports.

Entries are arrays of one shape (one system per mechanism instance), so every branch is a
`jnp.where`.
"""

from __future__ import annotations

import jax.numpy as jnp

ROUNDOFF = 1e-20


def simeq(rows: list[list]) -> list:
    """Solve the augmented system `rows` (n rows of n + 1 entries: coefficients, right-hand side).

    Returns the n unknowns, in column order.
    """
    n = len(rows)
    a = [list(jnp.broadcast_arrays(*[jnp.asarray(x, float) for r in rows for x in r]))[i * (n + 1):(i + 1) * (n + 1)]
         for i in range(n)]
    singular = jnp.zeros(jnp.shape(a[0][0]), bool)
    for j in range(n):
        best, at = a[j], jnp.full(jnp.shape(a[0][0]), j)
        for i in range(j + 1, n):
            take = jnp.abs(best[j]) < jnp.abs(a[i][j])
            best = [jnp.where(take, x, y) for x, y in zip(a[i], best)]
            at = jnp.where(take, i, at)
        for i in range(j + 1, n):
            a[i] = [jnp.where(at == i, x, y) for x, y in zip(a[j], a[i])]
        a[j] = best
        singular = singular | (jnp.abs(a[j][j]) < ROUNDOFF)
        for k in range(j + 1, n + 1):
            a[j][k] = a[j][k] / a[j][j]
        for i in range(j + 1, n):
            for k in range(j + 1, n + 1):
                a[i][k] = a[i][k] - a[j][k] * a[i][j]
    x: list = [None] * n
    for i in range(n - 1, -1, -1):
        xi = a[i][n]
        for j in range(i + 1, n):
            xi = xi - a[i][j] * x[j]
        x[i] = xi
    return [jnp.where(singular, jnp.nan, xi) for xi in x]
