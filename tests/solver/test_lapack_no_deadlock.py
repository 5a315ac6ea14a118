"""Two independent batched LAPACK solves in one jitted loop finish (bridge.solver.xla_scheduler).

Without the scheduler flag, jaxlib's batched LU kernels (ParallelBatchMap on XLA's intra-op pool)
deadlock on a 2-core machine when XLA runs two of them at once: every thread idle, the run never
returns (ModelDB 145672's two KINETIC mechanisms hung that way). The run happens in a subprocess so
that a hang is a failed test, not a stuck suite; the bound is generous (the loop takes ~12 s on a
loaded 2-core VM) and is a hang detector, not a speed claim."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from bridge.solver.xla_scheduler import FLAG, scheduler_flags

LOOP = textwrap.dedent("""
    import bridge.solver  # sets XLA's scheduler before JAX's backend starts
    import jax, jax.numpy as jnp

    def step(c):
        i, a, b, x, y = c
        x = jnp.linalg.solve(a + i * 1e-9, x[..., None])[..., 0]
        y = jnp.linalg.solve(b + i * 1e-9, y[..., None])[..., 0]
        return i + 1, a, b, x, y

    n = 50000
    key = jax.random.PRNGKey(0)
    a = jax.random.normal(key, (n, 5, 5)) + 5 * jnp.eye(5)
    b = jax.random.normal(key, (n, 7, 7)) + 7 * jnp.eye(7)
    run = jax.jit(lambda c: jax.lax.while_loop(lambda c: c[0] < 200, step, c))
    out = run((0, a, b, jnp.ones((n, 5)), jnp.ones((n, 7))))
    jax.block_until_ready(out)
    print("finished", int(out[0]))
""")


def test_two_batched_solves_in_one_loop_finish():
    env = {**os.environ, "XLA_FLAGS": "", "JAX_PLATFORMS": "cpu"}
    try:
        proc = subprocess.run([sys.executable, "-c", LOOP], capture_output=True, text=True, timeout=600, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("two batched jnp.linalg.solve calls in one jitted loop hung (XLA's LAPACK deadlock)")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "finished 200" in proc.stdout


def test_the_flag_is_added_once_and_a_users_choice_wins():
    assert scheduler_flags("") == f"{FLAG}=false"
    assert scheduler_flags("--xla_cpu_max_isa=AVX") == f"--xla_cpu_max_isa=AVX {FLAG}=false"
    assert scheduler_flags(f"{FLAG}=true") == f"{FLAG}=true"
    assert scheduler_flags(scheduler_flags("")) == f"{FLAG}=false"
