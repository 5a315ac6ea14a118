"""LU factorisation as NEURON's Matrix does it (meschach's `LUfactor`, `LUsolve`, `Lsolve`,
`Usolve` in src/mesch/lufactor.c and solve.c): scaled partial pivoting, and the sums in
meschach's order, so `solv`, `inverse` and `det` give NEURON's numbers."""

from __future__ import annotations


def _ip(a: list[float], b: list[float]) -> float:
    """meschach's __ip__: products summed left to right from 0.0."""
    s = 0.0
    for x, y in zip(a, b):
        s += x * y
    return s


def lu_factor(rows: list[list[float]]) -> tuple[list[list[float]], list[int], float]:
    """(LU, pivot, sign): L below the diagonal (unit diagonal implied), U on and above it; row i of
    LU is row pivot[i] of the input; sign is the permutation's sign (px_sign)."""
    a = [list(r) for r in rows]
    m = len(a)
    n = len(a[0]) if a else 0
    pivot = list(range(m))
    sign = 1.0
    scale = [max((abs(v) for v in r), default=0.0) for r in a]  # set once, per original row slot
    for k in range(min(m, n) - 1):
        best, i_max = 0.0, -1
        for i in range(k, m):
            if scale[i] != 0.0:  # meschach's test against 10/HUGE_VAL; a zero row never pivots
                t = abs(a[i][k]) / scale[i]
                if t > best:
                    best, i_max = t, i
        if i_max == -1:
            a[k][k] = 0.0
            continue
        if i_max != k:
            pivot[i_max], pivot[k] = pivot[k], pivot[i_max]
            a[i_max], a[k] = a[k], a[i_max]
            sign = -sign
        rk = a[k]
        for i in range(k + 1, m):
            ri = a[i]
            t = ri[k] = ri[k] / rk[k]
            for j in range(k + 1, n):
                ri[j] += -t * rk[j]
    return a, pivot, sign


def lu_solve(lu: list[list[float]], pivot: list[int], b: list[float]) -> list[float]:
    """x with A x = b, from lu_factor's result: permute, then Lsolve (unit diagonal), Usolve.
    A zero pivot raises ZeroDivisionError (meschach: E_SING)."""
    n = len(lu)
    x = [b[pivot[i]] for i in range(n)]
    # Lsolve: leading zeros stay zero; each row subtracts the inner product of what is known
    i_lim = next((i for i in range(n) if x[i] != 0.0), n)
    for i in range(i_lim, n):
        x[i] = x[i] - _ip(lu[i][i_lim:i], x[i_lim:i])
    # Usolve: trailing zeros stay zero
    i_lim = next((i for i in range(n - 1, -1, -1) if x[i] != 0.0), -1)
    for i in range(i_lim, -1, -1):
        s = x[i] - _ip(lu[i][i + 1:i_lim + 1], x[i + 1:i_lim + 1])
        x[i] = s / lu[i][i]
    return x
