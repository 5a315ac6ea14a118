"""Running a block over a mechanism's instances one after another, as NEURON does, carrying shared globals.

NEURON keeps a GLOBAL that code assigns (not THREADSAFE), a non-RANGE PARAMETER code assigns and a
file-level LOCAL as one C variable, and runs each block over the instances of a type in turn, in
Memb_list order (fadvance.cpp `nrn_finitialize`, `nrn_fixed_step`; nocmodl's nrn_init/nrn_cur/nrn_state
loops, noccout.cpp): each instance reads what the previous one left. Where that matters
(`MechanismInfo.in_turn`, bridge.nmodl.analysis.shared_globals) the generated block runs on one
instance at a time in a `jax.lax.scan` over the instances in bridge's order (node order for density
mechanisms, NEURON's point-process order: bridge.solver.plan), the carried names passed from each
instance to the next and out of the loop. A scan keeps `jax.vmap` and `jax.grad` working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import jax
import jax.numpy as jnp

Scope = dict[str, Any]


def split(s: Mapping[str, Any], n: int, per_instance: Iterable[str], arrays: Mapping[str, int]) -> tuple[Scope, Scope]:
    """(the values of scope `s` that hold one entry per instance, the rest). A name of `per_instance` is
    split when its leading axis has the n instances (an array variable of `arrays`: when it is 2-D);
    one value given for all instances stays whole."""
    xs: Scope = {}
    for k in per_instance:
        if k not in s or k in xs:
            continue
        shape = jnp.shape(s[k])
        rank = 2 if k in arrays else 1
        if len(shape) == rank and shape[0] == n:
            xs[k] = s[k]
    return xs, {k: val for k, val in s.items() if k not in xs}


def scan(body: Callable[[Scope], tuple[Scope, Any]], s: Mapping[str, Any], n: int, per_instance: Iterable[str],
         arrays: Mapping[str, int], carried: Iterable[str]) -> tuple[Any, Scope]:
    """`body(scope of one instance) -> (scope after, outputs)` for instances 0 .. n-1 in turn. Instance 0
    starts the carried names at their value in `s` (every instance holds the one value the last block left,
    `TranslatedMechanism._state_out`); instance i + 1 starts them at what instance i left. Returns (each
    instance's outputs, stacked on a leading axis; the carried values the last instance left)."""
    xs, fixed = split(s, n, per_instance, arrays)
    start = {}
    for k in carried:
        value = jnp.asarray(s[k], jnp.result_type(float))
        start[k] = value[0] if k in xs else value

    def step(carry: Scope, x: Scope):
        after, out = body({**fixed, **x, **carry})
        return {k: jnp.asarray(after[k], c.dtype).reshape(c.shape) for k, c in carry.items()}, out

    last, ys = jax.lax.scan(step, start, xs, length=n)
    return ys, last


def picked(after: Mapping[str, Any], names: Iterable[str]) -> Scope:
    """The values of `names` (those present) in a scope after a block, as arrays (a scan's outputs)."""
    return {k: jnp.asarray(after[k]) for k in names if k in after}
