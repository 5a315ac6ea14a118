"""TABLE: NEURON's tabulated FUNCTIONs and PROCEDUREs, built and looked up as nocmodl does.

`TABLE a, b DEPEND c FROM lo TO hi WITH n` (nocmodl's parsact.cpp) makes
`usetable_<suffix>` (a GLOBAL, 1 by default). When it is on:

- build (`_check_<name>`, at initialisation and when a DEPEND value changes):
  `dx = (hi - lo)/n`, `mfac = 1/dx`; x starts at lo and is accumulated
  `x += dx` for n + 1 points; the direct function is evaluated at each point
  and its outputs (the FUNCTION's value, or the PROCEDURE's listed variables)
  stored. bridge builds tables in `prepare`, point by point with the C
  library's math when the inputs are concrete numbers, so the entries are
  NEURON's bit for bit.
- lookup: `xi = mfac*(x - lo)`; NaN gives NaN; `xi <= 0` the first entry;
  `xi >= n` the last; otherwise `T[i] + (xi - i)*(T[i+1] - T[i])` with
  `i = (int)xi`. INITIAL uses the table too.

With usetable off (0 in the globals) the direct function runs.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError
from bridge.nmodl import ast
from bridge.nmodl.pytext import docstring, string


def direct_name(name: str) -> str:
    """The Python name of a tabulated FUNCTION/PROCEDURE's own code (without its TABLE)."""
    from bridge.nmodl.codegen import helper_name

    return helper_name("direct", name)


# --------------------------------------------------------------------------- code generation


def table_wrapper(block, table: ast.Table, info, em, impure) -> None:
    """`name(s, x)`: the FUNCTION/PROCEDURE through its table."""
    from bridge.nmodl.codegen import arg_name, py_name

    p = arg_name(block.params[0].name, info)
    usetable = f"usetable_{info.name}"
    em.line(f"def {py_name(block.name)}(s, {p}):", table)
    em.indent()
    if isinstance(block, ast.FunctionBlock):
        em.line(f'"""FUNCTION {docstring(block.name)} through its TABLE ({docstring(usetable)})."""')
        em.line(f"return tables.function(s, {string(block.name)}, {p}, {direct_name(block.name)}, {string(usetable)})")
    else:
        em.line(f'"""PROCEDURE {docstring(block.name)} through its TABLE of {docstring(", ".join(table.names))} '
                f'({docstring(usetable)})."""')
        em.line(f"return tables.procedure(s, {string(block.name)}, {p}, {direct_name(block.name)}, "
                f"{tuple(table.names)!r}, {string(usetable)})")
    em.dedent()
    em.line()


def make_tables_def(info, em, counter) -> None:
    """`make_tables(s) -> dict`: every TABLE of the mechanism, built from globals and celsius."""
    from bridge.nmodl.codegen import Context, _flush, expr

    em.line("def make_tables(s):")
    em.indent()
    em.line('"""Build the TABLEs (NEURON\'s _check_<name>) from the globals and celsius in `s`."""')
    em.line("out = {}")
    if info.tables:
        em.line(f"if not s.get({string('usetable_' + info.name)}, 1.0):")
        em.line("    return out")
    ctx = Context(info, set(), None, "table", "error", counter=counter)
    limit = em.limits.max_table_points
    for name, table in info.tables.items():
        if table.count > limit:  # n + 1 points, each one run of the FUNCTION (nocmodl's _check_<name>)
            raise BridgeError(f"TABLE ... WITH {table.count}: more than Limits.max_table_points = {limit}; "
                              f"{em.limits.raise_hint('max_table_points')}", info.where(table), info.source)
        block = info.functions.get(name) or info.procedures.get(name)
        lo, hi = expr(table.start, ctx), expr(table.stop, ctx)
        _flush(ctx, em, table)
        outputs = tuple(table.names) if isinstance(block, ast.ProcedureBlock) else None
        side = tuple(n for n in info.global_assigned if n not in (outputs or ())) if outputs else ()
        em.line(f"out[{string(name)}] = tables.build(s, {direct_name(name)}, {lo}, {hi}, {int(table.count)}, "
                f"{outputs!r}, {side!r})", table)
    if any(isinstance(info.procedures.get(n), ast.ProcedureBlock) for n in info.tables):
        em.line("# globals a PROCEDURE set while NEURON built its TABLE keep the last value")
        em.line("out['__globals__'] = tables.side_values(out)")
    em.line("return out")
    em.dedent()
    em.line()


# --------------------------------------------------------------------------- run time


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


def side_values(tables: dict) -> dict:
    """Values that table building left in NEURON's globals (the last table built wins)."""
    out = {}
    for name, table in tables.items():
        if isinstance(table, dict) and "side" in table:
            out.update(table["side"])
    return out


def build(s: dict, direct, lo, hi, n: int, outputs: tuple[str, ...] | None, side: tuple[str, ...] = ()) -> dict:
    """Tabulate `direct` at n + 1 points from lo to hi (x accumulated as in NEURON's C).

    `side`: global variables the PROCEDURE also assigns; their values after the last
    point are returned too (NEURON's globals keep them)."""
    s = {k: v for k, v in s.items() if k != "__tables__"}
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
        columns = {k: [] for k in names}
        last: dict = {}
        with np.errstate(all="ignore"):
            for x in xs:
                if outputs is None:
                    columns["__value__"].append(np.float64(direct(dict(scope), x)))
                else:
                    last = direct(dict(scope), x)
                    for k in outputs:  # an array output (inf[2]) gives a row per point
                        columns[k].append(np.asarray(last[k], dtype=np.float64))
        values = {k: jnp.asarray(np.array(v, dtype=np.float64)) for k, v in columns.items()}
        kept = {k: last[k] for k in side if k in last and last[k] is not scope.get(k)}
        return {"lo": float(lo), "mfac": float(mfac), "n": n, "values": values, "side": kept}
    dx = (hi - lo) / n
    mfac = 1.0 / dx
    # x accumulated point by point as NEURON's C does, in one scan (a Python loop would put n
    # additions into the traced program: its compile time grew with the table)
    dx_ = jnp.asarray(dx, float)
    _, xs = jax.lax.scan(lambda x, _: (x + dx_, x), jnp.asarray(lo, float), None, length=n + 1)
    kept = {}
    if outputs is None:
        values = {"__value__": jnp.broadcast_to(direct(dict(s), xs), xs.shape)}
    else:
        out = direct(dict(s), xs)
        values = {k: _per_point(out[k], xs.shape[0]) for k in outputs}
        for k in side:
            if k in out and out[k] is not s.get(k):
                v = jnp.asarray(out[k])
                kept[k] = v[-1] if v.shape == xs.shape else v
    return {"lo": lo, "mfac": mfac, "n": n, "values": values, "side": kept}


def _per_point(value, npoints: int):
    """A tabulated output as (npoints, ...): scalars and point-independent arrays are repeated."""
    value = jnp.asarray(value)
    if value.ndim and value.shape[0] == npoints:
        return value
    return jnp.broadcast_to(value, (npoints,) + value.shape)


def lookup(table: dict, x, names):
    """Interpolated values of the tabulated outputs at x, as nocmodl's `_n_<name>`.

    The scalar outputs are looked up together: one (n, 2 * outputs) array holds each
    interval's T[i] and T[i+1] side by side, so all of them cost one row gather per
    instance (per-column gathers of single values are slow, on CPUs especially).
    """
    n = table["n"]
    x = jnp.asarray(x)
    dtype = x.dtype if jnp.issubdtype(x.dtype, jnp.floating) else jnp.result_type(float)
    xi = table["mfac"] * (x.astype(dtype) - table["lo"])
    nan = jnp.isnan(xi)
    i = jnp.clip(jnp.floor(jnp.where(nan, 0.0, xi)), 0, n - 1).astype(jnp.int32)
    theta = xi - i
    columns = {k: jnp.asarray(table["values"][k]).astype(dtype) for k in names}
    scalar = [k for k in names if columns[k].ndim == 1]
    rows = {}
    if scalar:
        stacked = jnp.stack([columns[k] for k in scalar], axis=1)  # (n + 1, m)
        both = jnp.concatenate([stacked[:-1], stacked[1:]], axis=1)[i]  # (..., 2m): T[i] then T[i+1]
        m = len(scalar)
        rows = {k: (both[..., j], both[..., m + j]) for j, k in enumerate(scalar)}
    out = {}
    for k in names:
        T = columns[k]
        extra = (None,) * (T.ndim - 1)  # array outputs (inf[2]): one column per element
        th, x_, nn = theta[(..., *extra)], xi[(..., *extra)], nan[(..., *extra)]
        lo, hi = rows[k] if k in rows else (T[i], T[i + 1])
        val = lo + th * (hi - lo)
        val = jnp.where(x_ <= 0.0, T[0], jnp.where(x_ >= n, T[n], val))
        out[k] = jnp.where(nn, x_, val)
    return out


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
