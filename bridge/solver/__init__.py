"""NEURON's fixed-step integrator in JAX: tree solve, one step, the run loop.

Importing it turns on JAX's float64 mode (`jax_enable_x64`): float64 is the
validation mode, float32 a speed option chosen per simulation. It also turns on
JAX's persistent compilation cache in bridge's folder (`compile_cache`) and, when
`BRIDGE_CPU_DEVICES` is set, exposes that many CPU cores as JAX devices (`devices`), and keeps two
batched LAPACK calls from waiting on each other forever on a machine with few cores (`xla_scheduler`).
"""

import jax

from bridge.solver.compile_cache import enable_compilation_cache
from bridge.solver.devices import cpu_devices_from_env
from bridge.solver.xla_scheduler import avoid_lapack_deadlock

avoid_lapack_deadlock()
jax.config.update("jax_enable_x64", True)
enable_compilation_cache()
cpu_devices_from_env()
