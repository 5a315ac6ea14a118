"""XLA's CPU scheduler set so that two batched LAPACK calls cannot wait on each other forever.

jaxlib's CPU LAPACK kernels (`lapack_dgetrf_ffi`, used by `jnp.linalg.solve`: bridge's KINETIC
`METHOD sparse` Newton steps, LinearMechanism solves) split a large batch over XLA's intra-op
thread pool and block the calling pool thread until the pieces finish (`jax::ParallelBatchMap`).
With the concurrency-optimized HLO scheduler XLA may start two such independent calls at once; on
a machine with few cores both pool threads then block, each waiting for pieces queued behind the
other, and the run hangs with every thread idle (seen on 2 cores: a cell with two KINETIC mechanisms,
ModelDB 145672; tests/solver/test_lapack_no_deadlock.py reproduces it with two batched solves).
XLA's default scheduler orders them one after the other. Scheduling moves no number: it orders
the same operations, it does not change them.

The flag must be in `XLA_FLAGS` before JAX starts its CPU backend; a flag the user set wins.
"""

from __future__ import annotations

import os

FLAG = "--xla_cpu_enable_concurrency_optimized_scheduler"


def scheduler_flags(flags: str) -> str:
    """`flags` (an XLA_FLAGS value) with the concurrency-optimized scheduler off, unless it names the flag."""
    tokens = flags.split()
    if any(t.startswith(FLAG) for t in tokens):
        return flags
    return " ".join([*tokens, f"{FLAG}=false"])


def avoid_lapack_deadlock() -> bool:
    """Put the flag into XLA_FLAGS if JAX's backends have not started; True when it is (now) in effect."""
    from jax._src import xla_bridge

    flags = os.environ.get("XLA_FLAGS", "")
    if not xla_bridge.backends_are_initialized():
        os.environ["XLA_FLAGS"] = flags = scheduler_flags(flags)
    return f"{FLAG}=false" in flags.split()
