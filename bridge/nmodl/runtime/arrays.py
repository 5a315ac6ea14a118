"""NMODL array variables in generated code: `name[i]` over instances (imported as `arrays`).

An array variable `a[n]` is held as (instances, n), or (n,) when shared; a FROM loop's bounds and a KINETIC
scheme's index must be known while tracing (a number, a DEFINE, a GLOBAL, a FROM loop's variable), because
bridge unrolls FROM loops; a read (`index`) and an assignment (`set_index`, APCounter-style `times[n] = t`) may
use an index known only at run time.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from bridge.errors import UnsupportedFeature


def static_int(x) -> int:
    """A FROM loop bound or array index: it must be known before the run (a number, a DEFINE,
    a GLOBAL), because bridge unrolls loops when tracing."""
    if isinstance(x, jax.core.Tracer):
        raise UnsupportedFeature("a FROM loop bound or array index that changes during the run "
                                 "(bridge unrolls FROM loops: use constants, DEFINEs or GLOBALs)")
    return int(np.asarray(x).reshape(-1)[0]) if np.ndim(x) else int(x)


def _inside(k: int, size: int) -> int:
    """A static index `k` of an array of `size`: one outside it is refused (nocmodl's C reads and writes past
    the array into memory NEURON's layout decides; analysis.array_bounds names the line for a number)."""
    if not 0 <= k < size:
        raise UnsupportedFeature(f"an array index {k} outside its {size} elements: NEURON's C reads and writes "
                                 "past the array, into memory whose contents depend on NEURON's layout")
    return k


def key(base: str, i) -> str:
    """The name of one element of an array STATE inside a KINETIC scheme: key("ca", 3) is "ca[3]"."""
    return f"{base}[{static_int(i)}]"


def index(array, i):
    """`name[i]` of an NMODL array variable (last axis; instances first). A read may use an index known
    only at run time (a VecStim's next time, `times[index]`): per instance, truncated as C's (int); an
    index outside the array reads NaN (C would read past it), which the run's NaN check then reports. A
    static index outside the array is refused (`_inside`)."""
    if not isinstance(i, jax.core.Tracer):
        return array[..., _inside(static_int(i), jnp.shape(array)[-1])]
    a = jnp.asarray(array)
    k = jnp.trunc(i).astype(jnp.int32)
    shape = jnp.broadcast_shapes(a.shape[:-1], jnp.shape(k))
    a, k = jnp.broadcast_to(a, shape + a.shape[-1:]), jnp.broadcast_to(k, shape)
    inside = (k >= 0) & (k < a.shape[-1])
    got = jnp.take_along_axis(a, jnp.clip(k, 0, a.shape[-1] - 1)[..., None], axis=-1)[..., 0]
    return jnp.where(inside, got, jnp.nan)


def set_index(array, i, value):
    """`name[i] = value`, broadcasting the array to the value's instance shape. An index known only at run time
    is per instance, truncated as C's (int), and written by one scatter (not a pass over the array); one outside
    the array writes NaN at the nearest end instead (C would write past it, into other variables), which a
    later read, and the run's NaN check, then report. A static index outside the array is refused (`_inside`)."""
    array = jnp.asarray(array)
    value = jnp.asarray(value)
    if not isinstance(i, jax.core.Tracer):
        shape = jnp.broadcast_shapes(array.shape[:-1], value.shape) + array.shape[-1:]
        return jnp.broadcast_to(array, shape).at[..., _inside(static_int(i), array.shape[-1])].set(value)
    k = jnp.trunc(i).astype(jnp.int32)
    lead = jnp.broadcast_shapes(array.shape[:-1], value.shape, jnp.shape(k))
    size = array.shape[-1]
    a = jnp.broadcast_to(array, lead + (size,)).reshape(-1, size)
    k = jnp.broadcast_to(k, lead).reshape(-1)
    value = jnp.broadcast_to(value, lead).reshape(-1).astype(a.dtype)
    inside = (k >= 0) & (k < size)
    written = a.at[jnp.arange(a.shape[0]), jnp.clip(k, 0, size - 1)].set(jnp.where(inside, value, jnp.nan))
    return written.reshape(lead + (size,))


def zeros(size: int):
    """A LOCAL array's start value: `size` zeros."""
    return jnp.zeros(size)
