"""Batch throughput per core: CPU seconds per run of the 993-compartment hh cell (bench_solver.branched_cell).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_batch_cpu.py [--tstop 20] [--chunks 1 4 16 64] [--batch 16]

Process CPU time (resource.getrusage: every thread of the process), not wall time, so that a loaded
machine's other processes do not count; best of `--reps` after a warm-up. Rows, all float64, dt 0.025 ms,
bridge's default (XLA) arithmetic:
  NEURON            h.finitialize + h.continuerun, one run after another, varied gnabar/gkbar/amp
  single            sim.run (full traces: the samples and the NaN watch), one member after another
  single, values    jit(lambda p: sim._run(p).values): the samples alone (the NaN watch dead code)
  vmap chunk k      jit(vmap(... .values)) over k members (bench_solver.py's batch row), per member
  run_batch         sim.run_batch(batch) (full traces; on CPU waves of cpu_width members), per member
Ratios are against NEURON's CPU seconds per run measured in the same process. Also says whether each
batched member's samples equal the single run's bit for bit.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from benchmarks.bench_solver import branched_cell, neuron_model  # noqa: E402
from bridge.model import Model, Simulation  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def best(f, reps: int) -> float:
    """Least CPU seconds of `reps` calls of f() after a warm-up call."""
    jax.block_until_ready(f())
    out = np.inf
    for _ in range(reps):
        c0 = cpu()
        jax.block_until_ready(f())
        out = min(out, cpu() - c0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tstop", type=float, default=20.0)
    ap.add_argument("--chunks", type=int, nargs="*", default=[1, 4, 16, 64])
    ap.add_argument("--batch", type=int, default=16, help="members of the run_batch row")
    ap.add_argument("--reps", type=int, default=2)
    a = ap.parse_args()
    tree = branched_cell()
    sim = Simulation(Model(tree, tstop=a.tstop), record=["soma(0.5).v"], dtype="float64")
    base = sim.params()
    n = max(a.chunks + [a.batch])
    rng = np.random.default_rng(1)
    gna, gk, amp = rng.uniform(0.03, 0.08, n), rng.uniform(0.01, 0.03, n), rng.uniform(0.5, 3.0, n)

    def make(g1, g2, am):
        return sim.set(sim.set(sim.set(base, "gnabar_hh", g1), "gkbar_hh", g2), "amp_IClamp", am)

    params = jax.vmap(make)(jnp.asarray(gna), jnp.asarray(gk), jnp.asarray(amp))
    members = [jax.tree.map(lambda x, i=i: x[i], params) for i in range(n)]
    print(f"jax {jax.__version__}, {os.cpu_count()} CPUs, XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}, "
          f"tstop {a.tstop:g} ms, load average at start {os.getloadavg()[0]:.1f}")

    from neuron import h
    h.load_file("stdrun.hoc")
    h.dt = 0.025
    secs, stims = neuron_model(h, tree)
    segs = [seg for sec in secs.values() for seg in sec]

    def neuron_runs(k=4):
        for i in range(k):
            for seg in segs:
                seg.gnabar_hh, seg.gkbar_hh = gna[i], gk[i]
            stims[0].amp = amp[i]
            h.finitialize(-65.0)
            h.continuerun(a.tstop)
    neuron = best(neuron_runs, a.reps) / 4
    rows = [("NEURON", neuron, "")]
    k = min(4, n)
    single = best(lambda: [sim.run(m, check=False).values for m in members[:k]], a.reps) / k
    rows.append(("single (sim.run)", single, ""))
    ref = np.stack([np.asarray(sim.run(m, check=False).values) for m in members])
    f1 = jax.jit(lambda p: sim._run(p).values).lower(members[0]).compile()
    rows.append(("single, values", best(lambda: [f1(m) for m in members[:k]], a.reps) / k, ""))
    for c in a.chunks:
        part = jax.tree.map(lambda x, c=c: x[:c], params)
        fc = jax.jit(jax.vmap(lambda p: sim._run(p).values)).lower(part).compile()
        same = np.array_equal(np.asarray(fc(part)), ref[:c])
        rows.append((f"vmap chunk {c}, values", best(lambda fc=fc, part=part: fc(part), a.reps) / c,
                     f"bit-identical to single: {same}"))
    part = jax.tree.map(lambda x: x[:a.batch], params)
    same = np.array_equal(np.asarray(sim.run_batch(part, check=False).values), ref[:a.batch])
    rows.append((f"run_batch of {a.batch}", best(lambda: sim.run_batch(part, check=False).values, a.reps) / a.batch,
                 f"bit-identical to single: {same}"))
    print(f"{'case':<28} {'CPU s/run':>10} {'/NEURON':>8}")
    for name, s, note in rows:
        print(f"{name:<28} {s:>10.4f} {s / neuron:>7.2f}x  {note}")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
