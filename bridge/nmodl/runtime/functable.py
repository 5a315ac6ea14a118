"""FUNCTION_TABLE lookup as NEURON's `hoc_func_table` does it (src/oc/functabl.cpp).

Per argument, the index j and fraction f (`arg_index`): at or below the first abscissa j = 0,
at or above the last j = n - 1 (f = 0 at both ends: clamped, no extrapolation); in between,
with abscissae given, the last j with x[j] <= x and f = (x - x[j])/(x[j+1] - x[j]); with
min..max, d = (max - min)/(n - 1), x1 = (x - min)/d, j = int(x1), f = x1 - j. One argument:
(1 - f)*y[j] + f*y[j+1] when f > 0, else y[j]. Two: the same along the second argument in
rows j0 and j0 + 1, then along the first. Three or more: y[j] without interpolation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp

from bridge.errors import BridgeError


def lookup(tables: Mapping[str, Any], name: str, args: tuple) -> Any:
    """The value of FUNCTION_TABLE `name` at `args` (scalars or per-instance arrays)."""
    table = tables.get(name)
    if table is None:
        raise BridgeError(f"FUNCTION_TABLE {name}: no values were given (NEURON: 'table not specified in "
                          "hoc_func_table')")
    values = jnp.asarray(table.values)
    j: Any = 0
    fracs = []
    for axis, x in zip(table.axes, args, strict=True):
        k, f = _index(axis, jnp.asarray(x))
        j = j * axis[0] + k
        fracs.append(f)
    last = values.shape[0] - 1
    if len(args) == 1:
        return _inter(fracs[0], values, j, last)
    if len(args) == 2:
        y1 = _inter(fracs[1], values, j, last)
        y2 = _inter(fracs[1], values, jnp.minimum(j + table.axes[1][0], last), last)
        return jnp.where(fracs[0] > 0, (1.0 - fracs[0]) * y1 + fracs[0] * y2, y1)
    return values[j]


def _inter(frac, values, j, last: int):
    upper = values[jnp.minimum(j + 1, last)]
    return jnp.where(frac > 0, (1.0 - frac) * values[j] + frac * upper, values[j])


def _index(axis: tuple, x):
    """NEURON's arg_index: (j, frac) for one argument."""
    n, xs, lo, hi = axis
    if n == 1:  # every x gives the one value (a constant table too)
        zero = jnp.zeros_like(x, dtype=jnp.int32)
        return zero, jnp.zeros_like(x, dtype=float)
    if xs is not None:
        xs = jnp.asarray(xs)
        first, final = xs[0], xs[n - 1]
        j = jnp.clip(jnp.searchsorted(xs, x, side="right") - 1, 0, n - 2)
        frac = (x - xs[j]) / (xs[j + 1] - xs[j])
    else:
        first, final = lo, hi
        d = (hi - lo) / float(n - 1)
        x1 = (x - lo) / d
        j = jnp.clip(jnp.floor(x1), 0, n - 1).astype(jnp.int32)
        frac = x1 - j
    below, above = x <= first, x >= final
    j = jnp.where(below, 0, jnp.where(above, n - 1, j))
    frac = jnp.where(below | above, 0.0, frac)
    return j, frac
