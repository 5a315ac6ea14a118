"""Kundert's Sparse 1.3 as KSChan uses it (src/sparse13), for small matrices, in JAX.

KSChan solves its kinetic states with `spFactor`/`spSolve` (kschan.cpp `KSChan::solvemat`).
At initialisation that system is nearly singular (dt = 1e9 ms), so its round-off is
amplified about 1e9 times: matching NEURON needs Sparse's own pivot order and arithmetic,
not any LU. Both are reproduced here:

- the pivot order (spfactor.cpp `spOrderAndFactor` with diagonal pivoting): at each step the
  diagonal with the smallest Markowitz product (row count - 1)*(column count - 1) over the
  remaining submatrix and its fill-ins, the first in Sparse's scan order (the step itself,
  then the last row down to the step + 1; `SearchForSingleton`, `QuicklySearchDiagonal`).
  It depends on the structure only: KSChan's matrices are column diagonally dominant, so
  every diagonal passes Sparse's relative threshold (1e-3);
- the factorisation (`RealRowColElimination`, `spFactor`): pivots kept as reciprocals,
  `u[k, j] = a[k, j] * (1/a[k, k])`, `a[i, j] -= u[k, j] * a[i, k]` in step order;
- the solve (`spSolve`): forward `b[k] *= 1/a[k, k]`, `b[i] -= b[k] * a[i, k]`; backward
  `b[k] -= u[k, j] * b[j]` for j ascending.

`solve` works on any numbers with + - * /: JAX arrays (the fixed step, well conditioned) or
Python floats (the initial solve: XLA contracts `a - b*c` into one FMA, whose single rounding,
amplified 1e9 times, would show in the trace).
"""

from __future__ import annotations

import jax.numpy as jnp


def pivot_order(structure: list[list[bool]]) -> list[int]:
    """The rows (= columns) in the order Sparse pivots on them, from the nonzero structure."""
    n = len(structure)
    s = [list(row) for row in structure]
    for i in range(n):
        s[i][i] = True
    perm = list(range(n))  # internal position -> original index
    for k in range(n):
        rows = {i: sum(s[i][j] for j in range(k, n)) - 1 for i in range(k, n)}  # Markowitz counts
        cols = {i: sum(s[j][i] for j in range(k, n)) - 1 for i in range(k, n)}
        products = {i: rows[i] * cols[i] for i in range(k, n)}
        scan = [k] + list(range(n - 1, k, -1))
        best = min(products.values())
        chosen = next(i for i in scan if products[i] == best)
        if chosen != k:  # ExchangeRowsAndCols
            s[k], s[chosen] = s[chosen], s[k]
            for row in s:
                row[k], row[chosen] = row[chosen], row[k]
            perm[k], perm[chosen] = perm[chosen], perm[k]
        for i in range(k + 1, n):  # fill-ins of the elimination
            if s[i][k]:
                for j in range(k + 1, n):
                    if s[k][j]:
                        s[i][j] = True
    return perm


def solve(a, b, perm: list[int]):
    """Solve a x = b with Sparse 1.3's arithmetic in the order `perm`: `a` rows of elements, `b` a list
    of elements (each an array over instances). Returns x stacked on the last axis."""
    n = len(perm)
    m = [[a[perm[i]][perm[j]] for j in range(n)] for i in range(n)]
    x = [b[perm[i]] for i in range(n)]
    recip = []
    for k in range(n):
        r = 1.0 / m[k][k]
        recip.append(r)
        for j in range(k + 1, n):
            m[k][j] = m[k][j] * r
            for i in range(k + 1, n):
                m[i][j] = m[i][j] - m[k][j] * m[i][k]
    for k in range(n):
        x[k] = x[k] * recip[k]
        for i in range(k + 1, n):
            x[i] = x[i] - x[k] * m[i][k]
    for k in range(n - 1, -1, -1):
        t = x[k]
        for j in range(k + 1, n):
            t = t - m[k][j] * x[j]
        x[k] = t
    out = [x[0]] * n
    for i in range(n):
        out[perm[i]] = x[i]
    return out


def solve_stacked(a, b, perm: list[int]):
    """`solve` with x stacked on the last axis (JAX arrays)."""
    return jnp.stack(solve(a, b, perm), axis=-1)
