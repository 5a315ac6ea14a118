"""Which `exp` traced mechanism code computes: XLA's own (fast, the library's default) or glibc's bit for bit
(`bridge.nmodl.runtime.glibc_exp`), the one NEURON's compiled mechanisms call. The same switch makes `x^y` of
an array the C library's pow (`bridge.nmodl.runtime.libm.pow`) instead of multiplications.

The validation commands choose glibc's together with the rest of parity arithmetic
(`validation.arithmetic.use_neuron_arithmetic`, docs/numerics.md section 11); set it before the first
simulation of a process. The choice is read when a mechanism is traced and changes the compiled program, so
JAX's persistent compilation cache keeps the two apart (its key is the program); a change clears the
process's own compiled functions (`jax.clear_caches`) so that no program traced with the other `exp` is
reused.
"""

from __future__ import annotations

from bridge.nmodl.runtime import glibc_exp

_state: dict[str, str | None] = {"exp": None}


def use_c_library_exp(on: bool = True) -> str | None:
    """Compute traced float64 `exp` as this machine's C library does (on) or with XLA's (off). Returns the
    glibc copy in use ('fused' or 'plain'), or None: off, or a C library whose `exp` is not glibc's (then
    XLA's stays)."""
    import jax

    variant = glibc_exp.c_library_variant() if on else None
    if variant != _state["exp"]:
        _state["exp"] = variant
        jax.clear_caches()
    return variant


def c_library_exp() -> str | None:
    """The glibc copy traced `exp` computes ('fused' or 'plain'), or None for XLA's own."""
    return _state["exp"]
