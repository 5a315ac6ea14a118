"""Gradients at scale: jax.grad through 100 ms of the 993-compartment hh cell, with nested checkpointing.

    .venv/bin/python benchmarks/bench_grad.py [--tstop 25 50 100] [--levels 0 1 2 3]

For each run length and number of checkpoint levels k (1: a plain scan; `Simulation(checkpoint=k)`;
0: the default, `checkpoint=None`, bridge.solver.checkpointing.levels), the loss is the mean of the
soma's v and the gradient is taken with respect to every parameter of the run (all mechanisms' range
parameters, cm, the globals). Reported: the ratio of the gradient's time to the forward run's (warm,
best of three each, measured alternately), XLA's temporary memory of the compiled gradient
(`memory_analysis().temp_size_in_bytes`) against the number of steps, and the times.
Results: benchmarks/results/grad_*.txt.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import jax
import jax.numpy as jnp

import bridge

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_solver import branched_cell  # noqa: E402  (a sibling script, not a package)


def best_of(fn, *args, repeat: int = 3) -> float:
    """The fastest of `repeat` calls [s], after the results are ready."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - start)
    return min(times)


def measure(model: bridge.Model, levels: int) -> dict:
    sim = bridge.Simulation(model, record=["soma(0.5).v"], checkpoint=levels or None)
    params = sim.params()

    def loss(p):
        return jnp.mean(sim._run(p).values)

    forward = jax.jit(loss)
    grad = jax.jit(jax.grad(loss))
    start = time.perf_counter()
    compiled = grad.lower(params).compile()
    compile_s = time.perf_counter() - start
    memory = compiled.memory_analysis()
    temp = getattr(memory, "temp_size_in_bytes", None) if memory is not None else None
    jax.block_until_ready(forward(params))
    jax.block_until_ready(compiled(params))
    forward_s, grad_s = float("inf"), float("inf")
    for _ in range(3):  # alternately, so that a change in the machine's load touches both
        forward_s = min(forward_s, best_of(forward, params, repeat=1))
        grad_s = min(grad_s, best_of(compiled, params, repeat=1))
    return {"levels": levels, "steps": sim.nsteps, "grad_compile_s": compile_s,
            "grad_temp_MB": None if temp is None else temp / 2**20, "forward_s": forward_s, "grad_s": grad_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tstop", type=float, nargs="+", default=[25.0, 50.0, 100.0], help="ms")
    ap.add_argument("--levels", type=int, nargs="+", default=[0, 1, 2, 3], help="0: checkpoint=None")
    args = ap.parse_args()
    tree = branched_cell()
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 5.0, "dur": 90.0, "amp": 10.0})
    print(f"993-compartment hh cell, jax {jax.__version__} on {jax.default_backend()}, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    for tstop in args.tstop:
        model = bridge.Model(tree, tstop=tstop)
        for k in args.levels:
            r = measure(model, k)
            temp = "n/a" if r["grad_temp_MB"] is None else f"{r['grad_temp_MB']:.1f} MB"
            name = "None" if k == 0 else str(k)
            print(f"grad/forward {r['grad_s'] / r['forward_s']:5.2f}x  {tstop:g} ms, {r['steps']} steps, checkpoint="
                  f"{name}: grad temp memory {temp}, forward {r['forward_s']:.3f} s, grad {r['grad_s']:.3f} s, "
                  f"grad compile {r['grad_compile_s']:.1f} s, load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
