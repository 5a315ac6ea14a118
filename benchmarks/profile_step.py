"""Where one fixed step's time goes: the 993-compartment branched hh cell, timed as stripped-down variants.

    PYTHONPATH=. .venv/bin/python benchmarks/profile_step.py [--batch 1 16 64] [--steps 4000]

Each variant is a `lax.fori_loop` over `--steps` iterations of one part of NEURON's fixed step
(bridge.solver.step), jitted (and vmapped for a batch), best of 3 after a warm-up:
  full run        Simulation._run (finitialize, the steps, the NaN watch, recording)
  step only       fixed_step_with_matrix in a loop (no NaN watch, no recording)
  currents        mechanism_currents (hh's BREAKPOINT twice, the scatters into d/rhs)
  matrix          setup_tree_matrix (currents + IClamp + axial terms)
  tree solve      hines_solve alone
  advance         the mechanisms' SOLVE blocks (hh's rates, exp)
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from benchmarks.bench_solver import branched_cell, time_call  # noqa: E402
from bridge.model import Model, Simulation  # noqa: E402
from bridge.solver import step as steplib  # noqa: E402
from bridge.solver.tree_solve import hines_solve  # noqa: E402


def best(f, *args, n=3):
    """Best of n timed calls [s] after one untimed warm-up call (compilation)."""
    jax.block_until_ready(f(*args))
    return time_call(f, *args, repeat=n)


def variants(sim, nsteps):
    plan, dt, so = sim.plan, sim.model.dt, sim.model.secondorder
    lay = plan.layout

    def init(p):
        p = jax.tree.map(lambda x: jnp.asarray(x, jnp.float64), p)
        pre = steplib.prepare(plan, p, dt, so)
        st = steplib.finitialize(plan, p, pre, dt, so)
        return p, pre, {**st, "t": jnp.zeros((), jnp.float64)}

    def full(p):
        return sim._run(p).values

    def step_only(p):
        p, pre, st = init(p)
        half = jax.lax.optimization_barrier(jnp.asarray(0.5 * dt))
        return jax.lax.fori_loop(0, nsteps, lambda k, s: steplib.fixed_step_with_matrix(plan, p, pre, s, dt, so,
                                                                                          half)[0], st)["v"]

    def currents(p):
        p, pre, st = init(p)

        def body(k, s):
            d, rhs, mech, ions = steplib.mechanism_currents(plan, p, pre, s, s["t"], dt, so)
            return {**s, "v": s["v"] + 1e-9 * rhs + 1e-12 * d, "mech": mech, "ions": ions}
        return jax.lax.fori_loop(0, nsteps, body, st)["v"]

    def matrix(p):
        p, pre, st = init(p)
        cj = steplib.cj_of(dt, so)

        def body(k, s):
            d, rhs, mech, ions = steplib.setup_tree_matrix(plan, p, pre, s, s["t"], dt, cj, so)
            return {**s, "v": s["v"] + 1e-9 * rhs + 1e-12 * d, "mech": mech, "ions": ions}
        return jax.lax.fori_loop(0, nsteps, body, st)["v"]

    def solve(p):
        p, pre, st = init(p)
        cj = steplib.cj_of(dt, so)
        d, rhs, _, _ = steplib.setup_tree_matrix(plan, p, pre, st, st["t"], dt, cj, so)
        a, b = jnp.asarray(lay.a), jnp.asarray(lay.b)
        return jax.lax.fori_loop(0, nsteps, lambda k, r: hines_solve(d, r, a, b, plan.levels) * 1e-3 + rhs, rhs)

    def advance(p):
        p, pre, st = init(p)

        def body(k, s):
            mech = dict(s["mech"])
            for inst in plan.mechanisms:
                if inst.size:
                    env = steplib._env(plan, inst, p, pre, s["t"], dt, so)
                    new, _ = inst.mechanism.advance(p["mechanisms"][inst.name], mech[inst.name], s["v"][inst.nodes],
                                                    steplib._gather_ions(inst, s["ions"], s["v"], mech, p), env)
                    mech[inst.name] = steplib._cast(new, s["v"].dtype)
            bump = sum(jnp.sum(x) for m in mech.values() for x in m.values())  # keeps the SOLVE blocks live
            return {**s, "mech": mech, "v": s["v"] + 1e-30 * bump}
        return jax.lax.fori_loop(0, nsteps, body, st)["v"]

    return {"full run": full, "step only": step_only, "matrix": matrix, "currents": currents,
            "tree solve": solve, "advance": advance}


VARIED = {"gnabar", "gkbar", "amp"}


def batched(base, batch: int, varied_only: bool):
    """(vmap in_axes, arguments): every leaf with a leading batch axis, or only the VARIED ones."""
    def axis(path, x):
        return 0 if not varied_only or str(getattr(path[-1], "key", "")) in VARIED else None

    axes = jax.tree_util.tree_map_with_path(axis, base)
    arg = jax.tree.map(lambda x, ax: x if ax is None else jnp.broadcast_to(jnp.asarray(x), (batch,) + jnp.shape(x)),
                       base, axes)
    return axes, arg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 16, 64])
    ap.add_argument("--tstop", type=float, default=100.0)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--varied-only", action="store_true", help="batch only gnabar_hh, gkbar_hh and the IClamp's "
                    "amp (other leaves shared); default: every leaf batched, as Simulation.run_batch takes them")
    a = ap.parse_args()
    sim = Simulation(Model(branched_cell(), tstop=a.tstop), record=["soma(0.5).v"], dtype="float64")
    nsteps = sim.nsteps
    base = sim.params()
    print(f"{os.uname().nodename}: load {os.getloadavg()}; {len(sim.plan.levels.parent)} "
          f"nodes, {nsteps} steps, depth {sim.plan.levels.depth} width {sim.plan.levels.width}")
    for batch in a.batch:
        for name, f in variants(sim, nsteps).items():
            if a.only and name not in a.only:
                continue
            if batch == 1:
                fn, arg = jax.jit(f), base
            else:
                path_axes, arg = batched(base, batch, a.varied_only)
                fn = jax.jit(jax.vmap(f, in_axes=(path_axes,)))
            s = best(fn, arg)
            print(f"batch {batch:>3}  {name:<11} {s:8.3f} s  {1e6 * s / nsteps / batch:8.2f} us/step/member",
                  flush=True)


if __name__ == "__main__":
    main()
