"""What glibc's exp costs under parity arithmetic (docs/numerics.md section 11): XLA's own exp against
the C library's called from a compiled kernel (`bridge.nmodl.runtime.native_exp`) and against its emulation
(`bridge.nmodl.runtime.glibc_exp`, `BRIDGE_EXP=emulated`), all with the parity flags (no FMA, no algebraic
simplifier).

    .venv/bin/python benchmarks/bench_exp.py [--rounds 3]

Each round runs one process per exp, alternating (the compilation cache off), and each process times:
exp of 10^6 float64 values (jit, warm), and the warm run and the compile time of bench_solver's hh soma
(20 ms) and 993-compartment branched hh cell (100 ms). The best over rounds is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


KINDS = ("xla", "kernel", "emulated")  # XLA's exp; glibc's by the kernel; glibc's emulated


def measure(glibc: bool) -> dict:
    """In this process (parity flags already set): the timings with traced exp as `glibc` says."""
    from validation.arithmetic import use_neuron_arithmetic

    assert use_neuron_arithmetic()
    import jax
    import numpy as np

    from benchmarks.bench_solver import branched_cell, hh_soma, time_call
    from bridge.model import Model, Simulation
    from bridge.nmodl.runtime import libm
    from bridge.nmodl.runtime.libm_mode import use_c_library_exp

    assert (use_c_library_exp(glibc) is not None) == glibc
    out = {}
    x = np.random.default_rng(0).uniform(-100.0, 100.0, 1_000_000)
    f = jax.jit(libm.exp)
    f(x).block_until_ready()
    out["exp 1e6 [ms]"] = 1e3 * time_call(f, x, repeat=5)
    cases = (("hh soma 20 ms", hh_soma(), 20.0), ("993-compartment cell 100 ms", branched_cell(), 100.0))
    for name, tree, tstop in cases:
        sim = Simulation(Model(tree, tstop=tstop), record=["soma(0.5).v"])
        params = sim.params()
        run = jax.jit(lambda p, sim=sim: sim._run(p).values)
        t0 = time.perf_counter()
        compiled = run.lower(params).compile()
        out[f"{name}: compile [s]"] = time.perf_counter() - t0
        compiled(params).block_until_ready()
        out[f"{name}: run [ms]"] = 1e3 * time_call(compiled, params)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print("RESULT " + json.dumps(measure(args.child != "xla")))
        return
    from validation.arithmetic import parity_flags

    env = dict(os.environ, XLA_FLAGS=parity_flags(os.environ.get("XLA_FLAGS", "")), BRIDGE_NO_JAX_CACHE="1",
               JAX_PLATFORMS="cpu")
    best: dict[str, dict[str, float]] = {kind: {} for kind in KINDS}
    for _ in range(args.rounds):
        for kind in KINDS:
            child_env = dict(env, BRIDGE_EXP="emulated") if kind == "emulated" else env
            proc = subprocess.run([sys.executable, __file__, "--child", kind], env=child_env, capture_output=True,
                                  text=True, check=True)
            got = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))[7:])
            for k, v in got.items():
                best[kind][k] = min(v, best[kind].get(k, v))
    print(f"{'':<40} {'XLA exp':>10} {'C kernel':>10} {'emulated':>10}")
    for k in best["xla"]:
        print(f"{k:<40} " + " ".join(f"{best[kind][k]:>10.3f}" for kind in KINDS))


if __name__ == "__main__":
    main()
