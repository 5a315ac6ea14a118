"""The `exp` of the mechanisms written here in JAX (KSChan: `bridge.mechanisms.kschan`): the C library's, as
NEURON's compiled code computes it, where `bridge.nmodl.runtime.libm` provides it (glibc's bit for bit under
parity arithmetic, docs/numerics.md section 11), else XLA's own.

This layer cannot import the runtime (it imports this one), so `libm` registers its traced `exp` here when it
is imported; building a HOC model always imports it (the translator loads bridge's built-in mechanisms)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp

_provider: list[Callable[[Any], Any] | None] = [None]


def register(fn: Callable[[Any], Any] | None) -> None:
    """`fn(x)`: C's `exp` of a traced array (`bridge.nmodl.runtime.libm`); None: XLA's."""
    _provider[0] = fn


def exp(x):
    """C's `exp` of a traced array where registered (no clamping: callers clamp as NEURON does), else XLA's."""
    fn = _provider[0]
    return jnp.exp(x) if fn is None else fn(jnp.asarray(x))
