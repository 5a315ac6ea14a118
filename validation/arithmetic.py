"""bridge's side of a validation computes with NEURON's arithmetic: no fused multiply-add on the CPU.

NEURON's wheel is compiled for generic x86-64, so every product in its Hines solve and its
mechanisms is rounded before it is added. XLA on a CPU with FMA contracts `a - b*c` into one
fused operation with one rounding, and a model with a large axial conductance magnifies that
last-bit difference (docs/numerics.md, "Fused multiply-add"). Limiting XLA's CPU code to AVX
(`--xla_cpu_max_isa=AVX`, which has no FMA) gives NEURON's roundings; it costs some speed, so it is
set for validation commands only, never for `bridge` as a library. XLA reads the flag when JAX starts
its CPU backend, so it is set at the start of a validation process.
"""

from __future__ import annotations

import os

NO_FMA = "--xla_cpu_max_isa=AVX"


def use_neuron_arithmetic() -> bool:
    """Set XLA's CPU code to AVX (no FMA) unless the user set `xla_cpu_max_isa` or JAX's backend already
    started; True when the flag is (now) in effect."""
    from jax._src import xla_bridge

    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_cpu_max_isa" in flags:
        return NO_FMA in flags.split()
    if xla_bridge.backends_are_initialized():
        return False
    os.environ["XLA_FLAGS"] = f"{flags} {NO_FMA}".strip()
    return True
