"""NEURON's fixed-step integrator in JAX: tree solve, one step, the run loop.

Importing it turns on JAX's float64 mode (`jax_enable_x64`): float64 is the
validation mode, float32 a speed option chosen per simulation.
"""

import jax

jax.config.update("jax_enable_x64", True)
