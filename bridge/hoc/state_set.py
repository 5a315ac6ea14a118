"""One element of a live run's state array set from HOC, as one call of a jitted scatter."""

from __future__ import annotations

_SET_AT: list = []


def set_at(array, index, value):
    """`array.at[index].set(value)` as one call of a jitted function (the same scatter, the same bits): jax's
    eager `.at[].set` traces and dispatches its scatter in Python at every call, milliseconds each, and a model's
    HOC assigns every segment after finitialize() (`forall ena = 55`: thousands of assignments). `index`: an int
    or a tuple of ints."""
    if not _SET_AT:
        import jax

        _SET_AT.append(jax.jit(lambda a, i, x: a.at[i].set(x)))
    return _SET_AT[0](array, index, value)
