"""integrate.first_nan: per-array min-reduces give the argmax of the concatenated NaN flags (the report's index)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from bridge.solver.integrate import Watched, first_nan


def _named(arrays):
    return [(Watched(kind, ("m", str(i)), a.shape, carried), jnp.asarray(a))
            for i, (kind, carried, a) in enumerate(arrays)]


def _expected(arrays):
    flags = np.concatenate([(a if kind == "source" else np.isnan(a)).reshape(-1) for kind, _, a in arrays])
    carried = np.concatenate([np.full(a.size, c) for _, c, a in arrays])
    return bool((flags & carried).any()), int(np.argmax(flags))


def test_first_nan_is_the_concatenated_argmax():
    rng = np.random.default_rng(0)
    shapes = [(7,), (3, 4), (0,), (5,), (1,)]
    for trial in range(100):
        arrays = [("source", True, rng.random(7) < 0.02)]
        for k, shape in enumerate(shapes[1:]):
            a = rng.standard_normal(shape)
            a[rng.random(shape) < rng.choice([0.0, 0.05, 0.5])] = np.nan
            arrays.append(("mech", bool(k % 2), a))
        meta = [(kind, c) for kind, c, _ in arrays]
        hit, index = jax.jit(lambda *xs, meta=meta: first_nan(_named([(k, c, x) for (k, c), x in zip(meta, xs)])))(
            *[a for _, _, a in arrays])
        assert (bool(hit), int(index)) == _expected(arrays), trial


def test_first_nan_of_nothing():
    hit, index = first_nan([])
    assert (bool(hit), int(index)) == (False, 0)
    hit, index = first_nan(_named([("v", True, np.zeros(0))]))
    assert (bool(hit), int(index)) == (False, 0)
