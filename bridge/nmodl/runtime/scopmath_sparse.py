"""scopmath's own sparse solver, as a KINETIC scheme's Newton step uses it (NEURON 9.0.2
src/scopmath/sparse_thread.hpp; nocmodl's KINETIC code calls it, not Sparse 1.3).

- The structure: the matrix elements nocmodl's code touches (`_MATELM`), plus the diagonal, in
  nocmodl's state numbering (rows and columns alike).
- The order (`spar_minorder`, once per scheme, from the structure only): rows in a list sorted by
  their count of elements in not yet pivoted columns (`insert` puts a row before the first of equal
  count, so the last one inserted comes first); at each step the head of the list is the pivot, the
  fill-ins of its elimination are created (`get_next_pivot`: rows below in order, columns right in
  order; a new element raises its row's count), and every row with an element in the pivot's column
  has its count lowered by one (`reduce_order`). There is no numerical pivoting.
- The arithmetic (`matsol`): for each pivot in that order and each row below it with an element in
  its column, `r = a[i][k] / a[k][k]`, `b[i] -= b[k] * r`, `a[i][j] -= a[k][j] * r` for the columns
  right of the pivot; then backwards `b[k] -= a[k][j] * b[j]` (columns in order) and `b[k] /= a[k][k]`.
  A pivot of magnitude <= 1e-20 is `SINGULAR` for NEURON (the step is abandoned); here the solution
  is NaN then.

The solve is plain JAX on arrays whose trailing axes are the instances (jittable, vmappable,
differentiable).
"""

from __future__ import annotations

import jax.numpy as jnp

ROUNDOFF = 1e-20  # scopmath errcodes.hpp


def _insert(order: list[int], count: dict[int, int], row: int) -> None:
    """sparse_thread.hpp `insert`: before the first row whose count is >= row's."""
    pos = next((p for p, r in enumerate(order) if count[r] >= count[row]), len(order))
    order.insert(pos, row)


def _recount(order: list[int], count: dict[int, int], row: int, delta: int) -> None:
    """`increase_order` / `reduce_order`: take the row out, change its count, insert it again."""
    order.remove(row)
    count[row] += delta
    _insert(order, count, row)


def pivot_order(n: int, elements: frozenset[tuple[int, int]]) -> tuple[list[int], frozenset[tuple[int, int]]]:
    """(the rows in pivot order, the structure with its fill-ins) of `spar_minorder` for an n x n
    matrix whose nonzero elements are `elements` (row, column), diagonal implied."""
    elems = set(elements) | {(i, i) for i in range(n)}
    pos = list(range(n))  # varord: row -> position
    at = list(range(n))  # diag[position] -> row
    count = {r: sum(1 for (i, _) in elems if i == r) for r in range(n)}  # init_minorder
    order: list[int] = []
    for p in range(n):
        _insert(order, count, at[p])
    for i in range(n):  # get_next_pivot
        row = order[0]
        j = pos[row]
        if j != i:  # the rows at positions i..j-1 move down one; the pivot row goes to position i
            for q in range(j, i, -1):
                at[q] = at[q - 1]
                pos[at[q]] = q
            at[i] = row
            pos[row] = i
        below = sorted((r for (r, c) in elems if c == row and pos[r] > i), key=lambda r: pos[r])
        right = sorted((c for (r, c) in elems if r == row and pos[c] > i), key=lambda c: pos[c])
        for r in below:
            for c in right:
                if (r, c) not in elems:
                    elems.add((r, c))
                    _recount(order, count, r, +1)
            _recount(order, count, r, -1)
        order.remove(row)
    return at, frozenset(elems)


def matsol(a, b, pivots: list[int], elements: frozenset[tuple[int, int]]):
    """Solve a x = b as sparse_thread.hpp `matsol`: `a` the matrix (rows, columns, instances...), `b` the
    right-hand side (rows, instances...), `pivots` and `elements` from `pivot_order`. Returns x (rows, ...).

    Each pivot's elimination is one vectorised update of the rows below it with an element in its column
    and the columns right of it in its row: every element is updated once per pivot, so the roundings are
    sparse_thread's, element by element. The back substitution subtracts in sparse_thread's order."""
    n = len(pivots)
    pos = {r: p for p, r in enumerate(pivots)}
    perm = jnp.asarray(pivots)
    A = a[perm][:, perm]  # in pivot order
    x = b[perm]
    placed = {(pos[r], pos[c]) for r, c in elements}
    for k in range(n - 1):
        lower = [i for i in range(k + 1, n) if (i, k) in placed]
        if not lower:
            continue
        right = [j for j in range(k + 1, n) if (k, j) in placed]
        rows = jnp.asarray(lower)
        r = A[rows, k] / A[k, k]
        x = x.at[rows].set(x[rows] - x[k] * r)
        if right:
            cols = jnp.asarray(right)
            A = A.at[rows[:, None], cols[None, :]].set(A[rows][:, cols] - A[k, cols][None, :] * r[:, None])
    xs = [x[k] for k in range(n)]
    for k in reversed(range(n)):  # bksub
        t = xs[k]
        for j in range(k + 1, n):
            if (k, j) in placed:
                t = t - A[k, j] * xs[j]
        xs[k] = t / A[k, k]
    singular = jnp.any(jnp.abs(jnp.stack([A[k, k] for k in range(n)])) <= ROUNDOFF, axis=0)
    out = [xs[pos[r]] for r in range(n)]
    return jnp.where(singular, jnp.nan, jnp.stack(out))
