"""bridge's side of a validation computes with NEURON's arithmetic: C's roundings, operation by operation.

NEURON's wheel is compiled for generic x86-64, so every product in its Hines solve and its
mechanisms is rounded before it is added, and every `a / b` of nocmodl's C is one correctly
rounded division. XLA changes both unless told not to (docs/numerics.md, sections 8 and 10):

- on a CPU with FMA it contracts `a - b*c` into one fused operation with one rounding; limiting
  XLA's CPU code to AVX (`--xla_cpu_max_isa=AVX`, which has no FMA) gives NEURON's roundings;
- its HLO algebraic simplifier (pass `algsimp`, xla/service/algebraic_simplifier.cc,
  `HandleDivide`) rewrites divisions: `a / 7.0` as `a * (1/7.0)`, `(a/b)/c` as `a/(b*c)`,
  `a/exp(b)` as `a*exp(-b)`, `a/sqrt(b)` as `a*rsqrt(b)`, ...; each moves the last bit in about a
  third of the values. `--xla_disable_hlo_passes=algsimp` keeps every division as written;
- its `exp` is its own approximation, not glibc's, which NEURON's mechanisms call: with the two flags in
  effect, traced `exp` computes glibc's bit for bit (`bridge.nmodl.runtime.libm_mode`, section 11).

Both cost some speed, so they are set for validation commands only, never for `bridge` as a
library. XLA reads the flags when JAX starts its CPU backend, so they are set at the start of a
validation process.
"""

from __future__ import annotations

import os

NO_FMA = "--xla_cpu_max_isa=AVX"
NO_ALGSIMP = "--xla_disable_hlo_passes=algsimp"
_DISABLE = "--xla_disable_hlo_passes="


def parity_flags(flags: str) -> str:
    """`flags` (an XLA_FLAGS value) with NEURON's arithmetic added: AVX unless the user chose another
    `xla_cpu_max_isa`, and `algsimp` joined to the user's own list of disabled passes if there is one."""
    tokens = flags.split()
    if not any(t.startswith("--xla_cpu_max_isa") for t in tokens):
        tokens.append(NO_FMA)
    lists = [i for i, t in enumerate(tokens) if t.startswith(_DISABLE)]
    if not lists:
        tokens.append(NO_ALGSIMP)
    for i in lists:
        passes = tokens[i][len(_DISABLE):].split(",")
        if "algsimp" not in passes:
            tokens[i] = _DISABLE + ",".join([p for p in passes if p] + ["algsimp"])
    return " ".join(tokens)


def in_effect(flags: str) -> bool:
    """True when `flags` give NEURON's arithmetic: no FMA and no algebraic simplifier."""
    tokens = flags.split()
    no_simp = any(t.startswith(_DISABLE) and "algsimp" in t[len(_DISABLE):].split(",") for t in tokens)
    return NO_FMA in tokens and no_simp


def use_neuron_arithmetic() -> bool:
    """Set XLA_FLAGS to `parity_flags` unless JAX's backend already started; True when NEURON's arithmetic
    is (now) in effect, and then traced `exp` is glibc's (where this machine's C library is glibc)."""
    from jax._src import xla_bridge

    from bridge.nmodl.runtime.libm_mode import use_c_library_exp

    flags = os.environ.get("XLA_FLAGS", "")
    if not xla_bridge.backends_are_initialized():
        os.environ["XLA_FLAGS"] = flags = parity_flags(flags)
    on = in_effect(flags)
    use_c_library_exp(on)
    return on
