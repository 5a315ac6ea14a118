"""TABLEs at run time: built and looked up as nocmodl's `_check_<name>` and `_n_<name>` do
(imported as `tables`).

- `build`: `dx = (hi - lo)/n`, `mfac = 1/dx`; x starts at lo and is accumulated `x += dx`
  for n + 1 points; the direct function is evaluated at each point and its outputs (the
  FUNCTION's value, or the PROCEDURE's listed variables) stored. When the inputs are
  concrete numbers the points are computed one by one with the C library's math
  (`bridge.nmodl.runtime.libm`), so the entries are NEURON's bit for bit.
- `lookup`: `xi = mfac*(x - lo)`; NaN gives NaN; `xi <= 0` the first entry; `xi >= n`
  the last; otherwise `T[i] + (xi - i)*(T[i+1] - T[i])` with `i = (int)xi`.
- `function`, `procedure`: a tabulated FUNCTION or PROCEDURE through its table, or its
  direct code when `usetable_<suffix>` is 0 or the table is not built.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np


def _concrete(s: dict) -> bool:
    return not any(isinstance(v, jax.core.Tracer) for v in s.values())


def _point_scope(s: dict) -> dict:
    out = {}
    for k, v in s.items():
        if isinstance(v, (float, int, np.floating)) and not isinstance(v, bool):
            out[k] = np.float64(v)
        elif isinstance(v, (np.ndarray, jax.Array)) and np.ndim(v) == 0:
            out[k] = np.float64(v)
        else:
            out[k] = v
    return out


def wanted(s: dict, name: str) -> bool:
    """True when `make_tables` builds the TABLE of `name` (all, unless `s["__only__"]` names some)."""
    only = s.get("__only__")
    return only is None or name in only


def side_values(tables: dict, key: str = "side") -> dict:
    """Values that table building left in NEURON's globals (`key` "side"), or in the first instance's
    per-instance ASSIGNEDs ("first"); the last table built wins."""
    out = {}
    for table in tables.values():
        if isinstance(table, dict) and key in table:
            out.update(table[key])
    return out


def build(s: dict, direct, lo, hi, n: int, outputs: tuple[str, ...] | None, side: tuple[str, ...] = (),
          first: tuple[str, ...] = (), carried: tuple[str, ...] = ()) -> dict:
    """Tabulate `direct` at n + 1 points from lo to hi (x accumulated as in NEURON's C).

    `side`: global variables the PROCEDURE also assigns; their values after the last
    point are returned too (NEURON's globals keep them). `first`: per-instance ASSIGNEDs it
    assigns; their values after the last point are returned as "first" (NEURON's first
    instance, whose data the build ran with, keeps them). `carried`: the variables a point may
    leave unassigned or read first (`analysis.table_points`): each point starts from what the
    previous one left, the first from `s` (NEURON's loop runs the body in the same variables)."""
    s = {k: v for k, v in s.items() if k not in ("__tables__", "__only__")}
    concrete = _concrete(s) and not isinstance(lo, jax.core.Tracer) and not isinstance(hi, jax.core.Tracer)
    if concrete:
        lo, hi = np.float64(lo), np.float64(hi)
        dx = (hi - lo) / np.float64(n)
        mfac = np.float64(1.0) / dx
        xs = []
        x = lo
        for _ in range(n + 1):
            xs.append(x)
            x = x + dx
        scope = _point_scope(s)
        names = outputs or ("__value__",)
        columns: dict[str, list] = {k: [] for k in names}
        last: dict = {}
        here = dict(scope)  # what the carried variables hold at the next point
        with np.errstate(all="ignore"):
            for x in xs:
                if outputs is None:
                    columns["__value__"].append(np.float64(direct(dict(scope), x)))
                else:
                    last = direct(dict(scope, **{k: here[k] for k in carried if k in here}), x)
                    here.update((k, last[k]) for k in carried if k in last)
                    for k in outputs:  # an array output (inf[2]) gives a row per point
                        columns[k].append(np.asarray(last[k], dtype=np.float64))
        values = {k: jnp.asarray(np.array(v, dtype=np.float64)) for k, v in columns.items()}
        kept = {k: last[k] for k in side if k in last and last[k] is not scope.get(k)}
        mine = {k: last[k] for k in first if k in last and last[k] is not scope.get(k)}
        return {"lo": float(lo), "mfac": float(mfac), "n": n, "values": values, "side": kept, "first": mine,
                **_stacked(values)}
    dx = (hi - lo) / n
    mfac = 1.0 / dx
    # x accumulated point by point as NEURON's C does, in one scan (a Python loop would put n
    # additions into the traced program: its compile time grew with the table)
    dx_ = jnp.asarray(dx, float)
    _, points = jax.lax.scan(lambda x, _: (x + dx_, x), jnp.asarray(lo, float), None, length=n + 1)
    kept, mine = {}, {}
    # one run of the direct code per point, as NEURON's loop (vmap): code that mixes the
    # argument with arrays (inf[i] in a FROM loop) or branches on it sees one scalar x
    per_point = jax.vmap(lambda x: _arrays(direct(dict(s), x)))
    if outputs is None:
        values = {"__value__": jnp.broadcast_to(per_point(points), points.shape)}
    else:
        out = _in_turn(s, direct, points, carried) if any(k in s for k in carried) else per_point(points)
        values = {k: _per_point(out[k], points.shape[0]) for k in outputs}
        for names, into in ((side, kept), (first, mine)):
            for k in names:
                if k in out:  # vmap gives every output a leading point axis: the last point's value
                    into[k] = jnp.asarray(out[k])[-1]
    return {"lo": lo, "mfac": mfac, "n": n, "values": values, "side": kept, "first": mine, **_stacked(values)}


def _stacked(values: dict) -> dict:
    """The scalar outputs side by side as one (n + 1, m) array ("stacked"; "column": output -> its column), the
    form `lookup` reads. Built here, in the build's own program, so that XLA computes the outputs of a traced
    build into that one array (one kernel where the outputs' code allows) instead of one array per output and a
    copy that stacks them (benchmarks/results/compile_s26_2026-12-08.txt)."""
    scalar = [k for k, v in values.items() if jnp.ndim(v) == 1]
    if not scalar:
        return {}
    return {"stacked": jnp.stack([jnp.asarray(values[k]) for k in scalar], axis=1),
            "column": {k: j for j, k in enumerate(scalar)}}


def _in_turn(s: dict, direct, points, carried: tuple[str, ...]) -> dict:
    """The direct run at each point in turn (`jax.lax.scan`), the `carried` variables passed from one point to
    the next: the per-point results stacked, as `jax.vmap` gives them."""
    start = {k: jnp.asarray(s[k], jnp.result_type(float)) for k in carried if k in s}

    def one(held, x):
        out = _arrays(direct({**s, **held}, x))
        new = {k: jnp.broadcast_to(jnp.asarray(out[k], v.dtype), v.shape) if k in out else v
               for k, v in held.items()}
        return new, out

    _, out = jax.lax.scan(one, start, points)
    return out


def _arrays(out):
    """A direct run's result without the scope's non-array entries (FUNCTION_TABLE data), which vmap cannot
    return."""
    if isinstance(out, dict):
        return {k: v for k, v in out.items() if k not in ("__functables__", "__tables__")}
    return out


def _per_point(value, npoints: int):
    """A tabulated output as (npoints, ...): scalars and point-independent arrays are repeated."""
    value = jnp.asarray(value)
    if value.ndim and value.shape[0] == npoints:
        return value
    return jnp.broadcast_to(value, (npoints,) + value.shape)


def lookup(table: dict, x, names):
    """Interpolated values of the tabulated outputs at x, as nocmodl's `_n_<name>`.

    The scalar outputs are looked up together from the build's (n + 1, outputs) array
    (`_stacked`): rows i and i + 1 of it are one gather per instance for all of them
    (per-column gathers of single values are slow, on CPUs especially), interpolated by
    `_interpolate` (its reverse mode builds the rows' cotangent at once).
    """
    n = table["n"]
    x = jnp.asarray(x)
    dtype = x.dtype if jnp.issubdtype(x.dtype, jnp.floating) else jnp.result_type(float)
    xi = table["mfac"] * (x.astype(dtype) - table["lo"])
    nan = jnp.isnan(xi)
    i = jnp.clip(jnp.floor(jnp.where(nan, 0.0, xi)), 0, n - 1).astype(jnp.int32)
    theta = xi - i
    column = table.get("column", {})
    rows = {}
    if any(k in column for k in names):
        stacked = jnp.asarray(table["stacked"]).astype(dtype)  # (n + 1, m)
        pair = stacked[jnp.stack([i, i + 1], axis=-1)]  # (..., 2, m): T[i] and T[i+1] of every output, one gather
        both = pair.reshape(pair.shape[:-2] + (-1,))  # (..., 2m): T[i] then T[i+1]
        every = _interpolate(n, both, theta, xi, stacked[0], stacked[n])
        rows = {k: every[column[k]] for k in names if k in column}
    out = {}
    for k in names:
        if k in rows:
            out[k] = rows[k]
            continue
        T = jnp.asarray(table["values"][k]).astype(dtype)
        extra = (None,) * (T.ndim - 1)  # array outputs (inf[2]): one column per element
        out[k] = _between(n, T[i], T[i + 1], theta[(..., *extra)], xi[(..., *extra)], T[0], T[n])
    return out


def _between(n: int, lo, hi, theta, xi, first, last):
    """One output at each point, as nocmodl's `_n_<name>`: `lo + theta*(hi - lo)` inside the table, `first`
    (T[0]) at `xi <= 0`, `last` (T[n]) at `xi >= n`, xi itself where it is NaN."""
    val = lo + theta * (hi - lo)
    val = jnp.where(xi <= 0.0, first, jnp.where(xi >= n, last, val))
    return jnp.where(jnp.isnan(xi), xi, val)


@partial(jax.custom_vjp, nondiff_argnums=(0,))
def _interpolate(n: int, both, theta, xi, first, last) -> tuple:
    """The m scalar outputs at each point, as `lookup` computes an output column: `lo + theta*(hi - lo)`
    inside the table, `first` (T[0], (m,)) at `xi <= 0`, `last` (T[n]) at `xi >= n`, xi itself where it
    is NaN. both: (..., 2m) rows T[i] then T[i+1]; theta = xi - i, xi: (...).

    A custom VJP so that reverse mode builds the rows' cotangent as one (..., 2m) array: JAX's own
    transpose of the per-column code pads every output's cotangent to a (..., 2m) array and sums them
    (on the 993-compartment hh cell that was a quarter of a gradient's step). The values are not changed:
    this function is the per-column code."""
    m = both.shape[-1] // 2
    return tuple(_between(n, both[..., j], both[..., m + j], theta, xi, first[j], last[j]) for j in range(m))


def _interpolate_fwd(n, both, theta, xi, first, last):
    return _interpolate(n, both, theta, xi, first, last), (both, theta, xi)


def _interpolate_bwd(n, residuals, cts):
    """Each output's derivative: 1 - theta to T[i] and theta to T[i+1] and (T[i+1] - T[i]) to theta
    inside the table, 1 to xi where it is NaN, and 1 to T[0] (`xi <= 0`) or T[n] (`xi >= n`): there
    i is 0 or n - 1, so T[0] is the row's T[i] and T[n] its T[i+1], and their cotangents go into the
    rows too (one scatter into the table, no sum over the points)."""
    both, theta, xi = residuals
    m = both.shape[-1] // 2
    nan = jnp.isnan(xi)
    low = ~nan & (xi <= 0.0)
    high = ~nan & ~low & (xi >= n)
    inside = ~nan & ~low & ~high
    zero = jnp.zeros((), both.dtype)
    ct = jnp.stack(cts, axis=-1)  # (..., m): the outputs' cotangents side by side, as the rows hold them
    c_in = jnp.where(inside[..., None], ct, zero)
    c_hi = c_in * theta[..., None]
    both_bar = jnp.concatenate([jnp.where(low[..., None], ct, c_in - c_hi),
                                jnp.where(high[..., None], ct, c_hi)], axis=-1)
    slope = c_in * (both[..., m:] - both[..., :m])
    theta_bar = sum(slope[..., j] for j in range(m))  # columns added in turn (no reduce kernel)
    xi_bar = jnp.where(nan, sum(cts), zero)
    return both_bar, theta_bar, xi_bar, jnp.zeros((m,), both.dtype), jnp.zeros((m,), both.dtype)


_interpolate.defvjp(_interpolate_fwd, _interpolate_bwd)


def _use(s: dict, name: str, usetable: str):
    """(table or None, flag): None when the table is off or not built (then the direct code runs)."""
    tabs = s.get("__tables__") or {}
    table = tabs.get(name)
    flag = s.get(usetable, 1.0)
    if table is None:
        return None, False
    if isinstance(flag, jax.core.Tracer):
        return table, flag
    return (table, True) if float(flag) else (None, False)


def function(s: dict, name: str, x, direct, usetable: str):
    """A tabulated FUNCTION's value at x."""
    table, flag = _use(s, name, usetable)
    if table is None:
        return direct(s, x)
    value = lookup(table, x, ("__value__",))["__value__"]
    if flag is True:
        return value
    return jnp.where(flag != 0, value, direct(s, x))


def procedure(s: dict, name: str, x, direct, outputs: tuple[str, ...], usetable: str) -> dict:
    """A tabulated PROCEDURE: its listed outputs set from the table at x."""
    table, flag = _use(s, name, usetable)
    if table is None:
        return direct(s, x)
    values = lookup(table, x, outputs)
    out = dict(s)
    if flag is True:
        out.update(values)
        return out
    ref = direct(s, x)
    for k in outputs:
        out[k] = jnp.where(flag != 0, values[k], ref[k])
    return out
