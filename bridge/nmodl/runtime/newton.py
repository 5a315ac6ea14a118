"""scopmath's Newton iteration, as NEURON's derivimplicit and NONLINEAR blocks run it.

- `crout`, `crout_solve`: scopmath's nrn_crout_thread and nrn_scopmath_solve_thread (LU
  with scaled partial pivoting), the same operations in the same order as NEURON's C;
- `newton`: scopmath's nrn_newton_thread (newton_thread.hpp) for every instance at once,
  in one `lax.while_loop` (instances that converged stop changing), so each follows
  NEURON's own iteration;
- `root`: `newton` forward; gradients from the implicit function theorem at the root
  (`lax.custom_root`), so `jax.grad` goes through a solve without going through the loop.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

# scopmath errcodes.hpp
ZERO = 1e-8
STEP = 1e-6
CONVERGE = 1e-6
MAXCHANGE = 0.05
MAXITERS = 50


def _rows_of(a, idx):
    """a[idx] per instance: a is (n, m, *S), idx (*S) ints -> (m, *S)."""
    return jnp.take_along_axis(a, idx[None, None], axis=0)[0]


def crout(a):
    """scopmath's nrn_crout_thread: LU with scaled partial pivoting, in place in a[row, col, ...].

    Returns (a, perm) for `crout_solve`. Same operations in the same order as NEURON's C."""
    n = a.shape[0]
    shape = a.shape[2:]
    rows = jnp.arange(n).reshape((n,) + (1,) * len(shape))
    # rowmax[i] = a[i][k] with k the first column of largest |a[i][k]|
    k = jnp.argmax(jnp.abs(a), axis=1)  # first maximum, as the C loop's strict '>'
    rowmax = jnp.take_along_axis(a, k[:, None], axis=1)[:, 0]
    perm = jnp.broadcast_to(jnp.arange(n).reshape((n,) + (1,) * len(shape)), (n,) + shape)
    for r in range(n):
        for i in range(r, n):
            irow = perm[i]
            total = jnp.zeros(shape)
            for kk in range(r):
                total = total + _rows_of(a, irow)[kk] * _rows_of(a, perm[kk])[r]
            a = a.at[:, r].set(jnp.where(rows == irow, _rows_of(a, irow)[r] - total, a[:, r]))
        pivot = perm[r]
        equil_1 = jnp.abs(_rows_of(a, pivot)[r] / jnp.take_along_axis(rowmax, pivot[None], axis=0)[0])
        save_i = jnp.full(shape, r)
        for i in range(r + 1, n):
            irow = perm[i]
            equil_2 = jnp.abs(_rows_of(a, irow)[r] / jnp.take_along_axis(rowmax, irow[None], axis=0)[0])
            better = equil_2 > equil_1
            pivot = jnp.where(better, irow, pivot)
            save_i = jnp.where(better, i, save_i)
            equil_1 = jnp.where(better, equil_2, equil_1)
        swap = pivot != perm[r]
        old_r = perm[r]
        perm = jnp.where(swap & (jnp.arange(n).reshape(rows.shape) == save_i), old_r, perm)
        perm = perm.at[r].set(jnp.where(swap, pivot, perm[r]))
        prow = _rows_of(a, pivot)
        for j in range(r + 1, n):
            total = jnp.zeros(shape)
            for kk in range(r):
                total = total + prow[kk] * _rows_of(a, perm[kk])[j]
            value = (prow[j] - total) / prow[r]
            a = a.at[:, j].set(jnp.where(rows == pivot, value, a[:, j]))
            prow = _rows_of(a, pivot)
    return a, perm


def crout_solve(a, perm, b):
    """scopmath's nrn_scopmath_solve_thread: forward and back substitution with the pivots."""
    n = a.shape[0]
    p = [None] * n
    for i in range(n):
        prow = _rows_of(a, perm[i])
        total = jnp.zeros(b.shape[1:])
        for j in range(i):
            total = total + prow[j] * p[j]
        p[i] = (jnp.take_along_axis(b, perm[i][None], axis=0)[0] - total) / prow[i]
    for i in range(n - 1, -1, -1):
        prow = _rows_of(a, perm[i])
        total = jnp.zeros(b.shape[1:])
        for j in range(i + 1, n):
            total = total + prow[j] * p[j]
        p[i] = p[i] - total
    return jnp.stack(p)


def newton(F, x0):
    """scopmath's nrn_newton_thread on F(x) = 0 for every instance at once; x0 is (n, *instances).

    Jacobian by central differences (increment max(|0.02 x|, 1e-6)), factored by NEURON's
    Crout LU (`crout`), rebuilt while the largest relative change exceeds 0.05; stops when
    that change is <= 1e-6 and max |F| <= 1e-8, or after 50 iterations. Instances that
    converged keep their values.
    """
    n = x0.shape[0]
    shape = x0.shape[1:]

    def jacobian(x):
        cols = []
        for j in range(n):
            inc = jnp.maximum(jnp.abs(0.02 * x[j]), STEP)
            xj = x[j] + inc
            high = F(x.at[j].set(xj))
            xj = xj - 2.0 * inc
            low = F(x.at[j].set(xj))
            cols.append((high - low) / (2.0 * inc))
            x = x.at[j].set(xj + inc)  # NEURON restores x by adding the increment back
        value = F(x)
        return jnp.stack(cols, axis=1), x, value  # J[i, j, ...]

    def body(carry):
        x, value, J, perm, change, count, active = carry
        rebuild = (change > MAXCHANGE) & active
        Jn, xn, vn = jacobian(x)
        LUn, permn = crout(Jn)
        J = jnp.where(rebuild, LUn, J)
        perm = jnp.where(rebuild, permn, perm)
        x = jnp.where(rebuild, xn, x)
        value = jnp.where(rebuild, -vn, value)
        dx = crout_solve(J, perm, value)
        big = jnp.abs(x) > ZERO
        rel = jnp.where(big, jnp.abs(dx / jnp.where(big, x, 1.0)), 0.0)
        new_change = jnp.max(rel, axis=0)
        x_new = x + dx
        value_new = -F(x_new)
        max_dev = jnp.max(jnp.abs(value_new), axis=0)
        count = count + 1
        done = ((new_change <= CONVERGE) & (max_dev <= ZERO)) | (count >= MAXITERS)
        x = jnp.where(active, x_new, x)
        value = jnp.where(active, value_new, value)
        change = jnp.where(active, new_change, change)
        return x, value, J, perm, change, count, active & ~done

    J0 = jnp.zeros((n, n) + shape)
    perm0 = jnp.zeros((n,) + shape, jnp.arange(1).dtype)
    carry = (x0, jnp.zeros((n,) + shape), J0, perm0, jnp.ones(shape), 0, jnp.ones(shape, bool))
    return jax.lax.while_loop(lambda c: jnp.any(c[6]), body, carry)[0]


def tangent_solve(g, y):
    """Solve the linear map g(x) = y per instance (g acts on (n, *instances) arrays)."""
    n = y.shape[0]
    cols = [g(jnp.zeros_like(y).at[j].set(1.0)) for j in range(n)]
    J = jnp.moveaxis(jnp.stack(cols, axis=1), (0, 1), (-2, -1))
    return jnp.moveaxis(jnp.linalg.solve(J, jnp.moveaxis(y, 0, -1)[..., None])[..., 0], -1, 0)


def root(F, x0, solve):
    """`solve(F, x0)` forward (NEURON's iteration, bit for bit); gradients by the implicit
    function theorem at the root (`lax.custom_root`), so reverse mode works through it."""
    return jax.lax.custom_root(F, x0, solve, tangent_solve)
