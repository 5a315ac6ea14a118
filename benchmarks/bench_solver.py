"""Solver benchmarks: bridge (JAX) side by side with NEURON 9 on the same models, same dt.

    .venv/bin/python benchmarks/bench_solver.py [--quick] [--batch 1000] [--neuron-subset 20]

Cases (all dt = 0.025 ms, float64):
1. hh soma, 20 ms: compile time, run time (what `sim.run` computes: samples and NaN watch); NEURON
   h.continuerun on the same model.
2. ~1,000-compartment branched hh cell, 100 ms: compile, run; NEURON.
3. the same cell with `--batch` parameter sets (gnabar, gkbar, stimulus amplitude varied):
   one jit(vmap(run)) vs NEURON running them one after another. NEURON is timed on
   `--neuron-subset` sets and extrapolated linearly (each NEURON run costs the same).
Every timing is the best of a few repetitions after a warm-up; JAX timings wait for
the result (block_until_ready). Ratios are against NEURON measured in the same run.
With `--devices N` (N >= 2, or 0 for every core) the batch runs through `Simulation.run_batch`, each
vmap chunk sharded over N CPU cores exposed as JAX devices (`bridge.use_cpu_cores`).
Environment knobs: BRIDGE_TREE_SOLVE=loop|unrolled forces the level walk (default: the compiled
kernel of bridge/solver/native_solve.py on CPU in float64, unrolled on GPU);
BRIDGE_JAXLEY_PYTHON names a Python that already has jaxley.
With `--jaxley`, Jaxley 0.14 runs the same morphology (every branch 8 compartments, its
own HH channel, which has no rate table, so traces differ; only speed is compared) in its
own virtual environment, ~/.cache/bridge/jaxley-venv, created with pip on first use.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from bridge.model import Model, Simulation  # noqa: E402
from bridge.morphology.tree import SectionTree  # noqa: E402
from bridge.solver.devices import cpu_width, member_bytes  # noqa: E402


def hh_soma() -> SectionTree:
    tree = SectionTree()
    soma = tree.section("soma", L=18.8, diam=18.8)
    soma.insert("hh")
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 2.0, "dur": 10.0, "amp": 0.1})
    return tree


def branched_cell(levels: int = 5, nseg: int = 8, seed: int = 0) -> SectionTree:
    """hh soma with 4 trunks that branch in two `levels` times: 125 sections, 993 compartments."""
    rng = np.random.default_rng(seed)
    tree = SectionTree()
    tree.section("soma", L=20, diam=20).insert("hh")
    frontier, k = ["soma"], 0
    for lvl in range(levels):
        nxt = []
        for parent in frontier:
            for _ in range(4 if lvl == 0 else 2):
                k += 1
                name = f"dend{k}"
                sec = tree.section(name, L=float(rng.uniform(50, 150)), diam=max(0.5, 3.0 - 0.4 * lvl), nseg=nseg,
                                   Ra=100.0)
                tree.connect(name, parent, 1.0)
                sec.insert("hh", gnabar=0.05, gkbar=0.02)
                nxt.append(name)
        frontier = nxt
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 1.0, "dur": 50.0, "amp": 2.0})
    return tree


# -- NEURON side ---------------------------------------------------------------------
def neuron_model(h, tree: SectionTree):
    """The same tree in NEURON (sections kept alive by the returned dict)."""
    secs = {}
    for s in tree:
        sec = secs[s.name] = h.Section(name=s.name)
        sec.nseg, sec.L, sec.Ra = s.nseg, s.L, s.Ra
        for seg, d, c in zip(sec, s.diam, s.cm):
            seg.diam, seg.cm = d, c
    for s in sorted((s for s in tree if s.parent), key=lambda s: s.connect_serial):
        secs[s.name].connect(secs[s.parent](s.parent_x), s.child_end)
    for s in tree:
        for mech, values in s.mechanisms.items():
            secs[s.name].insert(mech)
            for name, arr in values.items():
                for seg, v in zip(secs[s.name], arr):
                    if not np.isnan(v):
                        setattr(seg, f"{name}_{mech}", float(v))
    stims = []
    for pp in tree.point_processes:
        obj = getattr(h, pp.name)(secs[pp.section](pp.x))
        for k, v in pp.params.items():
            setattr(obj, "delay" if k == "del" else k, v)
        stims.append(obj)
    return secs, stims


def time_neuron(h, tstop: float, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        h.finitialize(-65.0)
        h.continuerun(tstop)
        best = min(best, time.perf_counter() - t0)
    return best


# -- bridge side ---------------------------------------------------------------------
def time_call(f, *args, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        jax.block_until_ready(f(*args))
        best = min(best, time.perf_counter() - t0)
    return best


DTYPE = "float64"


def bench_single(name: str, tree: SectionTree, tstop: float, h) -> dict:
    sim = Simulation(Model(tree, tstop=tstop), record=["soma(0.5).v"], dtype=DTYPE)
    params = sim.params()
    run = jax.jit(sim._run)  # what sim.run computes: the samples and the NaN watch (when the state went NaN)
    t0 = time.perf_counter()
    compiled = run.lower(params).compile()
    compile_s = time.perf_counter() - t0
    jax.block_until_ready(compiled(params))
    run_s = time_call(compiled, params)
    secs, stims = neuron_model(h, tree)
    vec = h.Vector().record(secs["soma"](0.5)._ref_v)
    neuron_s = time_neuron(h, tstop)
    dv = float(np.abs(np.asarray(compiled(params).values)[:, 0] - np.array(vec)).max())
    del secs, stims, vec
    ncomp = int(sim.layout.has_membrane.sum())
    print(f"{name:<34} {ncomp:>6} {compile_s:>9.2f} {run_s:>9.4f} {neuron_s:>9.4f} {run_s / neuron_s:>8.2f}x  {dv:.1e}")
    return {"sim": sim, "compile": compile_s, "run": run_s, "neuron": neuron_s}


def bench_batch(tree: SectionTree, tstop: float, batch: int, subset: int, h, chunk: int, sharded: bool = False) -> None:
    sim = Simulation(Model(tree, tstop=tstop), record=["soma(0.5).v"], dtype=DTYPE)
    base = sim.params()
    rng = np.random.default_rng(1)
    gna = rng.uniform(0.03, 0.08, batch)
    gk = rng.uniform(0.01, 0.03, batch)
    amp = rng.uniform(0.5, 3.0, batch)

    def make(g1, g2, a):
        p = sim.set(base, "gnabar_hh", g1)
        p = sim.set(p, "gkbar_hh", g2)
        return sim.set(p, "amp_IClamp", a)

    params = jax.vmap(make)(jnp.asarray(gna), jnp.asarray(gk), jnp.asarray(amp))
    if not chunk:  # as run_batch on a CPU: as many members as fit a core's L2 cache (bridge.solver.devices)
        chunk = cpu_width(member_bytes(params))
    chunk = min(chunk, batch)
    first = jax.tree.map(lambda x: x[:chunk], params)
    if sharded:
        bench_sharded(sim, params, first, batch, chunk, tstop, (gna, gk, amp), subset, tree, h)
        return
    run = jax.jit(jax.vmap(lambda p: sim._run(p).values))
    t0 = time.perf_counter()
    compiled = run.lower(first).compile()
    compile_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    out = []
    for start in range(0, batch, chunk):
        part = jax.tree.map(lambda x, start=start: x[start:start + chunk], params)
        if jax.tree.leaves(part)[0].shape[0] < chunk:  # pad the last chunk to the compiled size
            part = jax.tree.map(lambda x: jnp.concatenate([x, jnp.repeat(x[-1:], chunk - x.shape[0], 0)]), part)
        out.append(compiled(part))
    jax.block_until_ready(out)
    jax_s, jax_cpu = time.perf_counter() - t0, time.process_time() - c0
    c0 = time.process_time()
    neuron_one = neuron_batch(tree, tstop, (gna, gk, amp), subset, h)
    neuron_cpu = (time.process_time() - c0) / subset
    neuron_s = neuron_one * batch
    print(f"batch of {batch} ({tstop:g} ms, vmap chunks of {chunk}): compile {compile_s:.2f} s, bridge {jax_s:.2f} s "
          f"({batch / jax_s:.1f} runs/s); NEURON {neuron_one:.3f} s/run x {batch} = {neuron_s:.1f} s "
          f"(measured on {subset}, extrapolated); throughput bridge/NEURON = {neuron_s / jax_s:.2f}x; "
          f"CPU s/run bridge {jax_cpu / batch:.4f}, NEURON {neuron_cpu:.4f} ({jax_cpu / batch / neuron_cpu:.2f}x)")


def neuron_batch(tree: SectionTree, tstop: float, sets, subset: int, h) -> float:
    """NEURON's time per run [s], over the first `subset` parameter sets, one after another."""
    gna, gk, amp = sets
    secs, stims = neuron_model(h, tree)
    hh_segs = [seg for sec in secs.values() for seg in sec]
    t0 = time.perf_counter()
    for k in range(subset):
        for seg in hh_segs:
            seg.gnabar_hh, seg.gkbar_hh = gna[k], gk[k]
        stims[0].amp = amp[k]
        h.finitialize(-65.0)
        h.continuerun(tstop)
    return (time.perf_counter() - t0) / subset


def bench_sharded(sim, params, first, batch: int, chunk: int, tstop: float, sets, subset: int, tree, h) -> None:
    """The whole batch in one Simulation.run_batch call: waves of `chunk` members per device, each wave
    split over every device (shard_map)."""
    ndev = len(jax.devices())
    wave = chunk * ndev
    t0 = time.perf_counter()  # compile (and two waves: a batch of wave + 1 runs as waves of `wave`)
    jax.block_until_ready(sim.run_batch(jax.tree.map(lambda x: x[:wave + 1], params), check=False,
                                        width=chunk).values)
    compile_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    out = sim.run_batch(params, check=False, width=chunk).values
    jax.block_until_ready(out)
    jax_s, jax_cpu = time.perf_counter() - t0, time.process_time() - c0
    c0 = time.process_time()
    neuron_one = neuron_batch(tree, tstop, sets, subset, h)
    neuron_cpu = (time.process_time() - c0) / subset
    neuron_s = neuron_one * batch
    print(f"batch of {batch} ({tstop:g} ms, one run_batch call: waves of {chunk} per device over {ndev} CPU "
          f"devices): first call (compile + 2 waves) {compile_s:.2f} s, bridge {jax_s:.2f} s "
          f"({batch / jax_s:.1f} runs/s); NEURON {neuron_one:.3f} s/run x {batch} = {neuron_s:.1f} s (measured on "
          f"{subset}, extrapolated); throughput bridge/NEURON = {neuron_s / jax_s:.2f}x; CPU s/run bridge "
          f"{jax_cpu / batch:.4f}, NEURON {neuron_cpu:.4f} ({jax_cpu / batch / neuron_cpu:.2f}x)")


JAXLEY_VENV = os.path.expanduser("~/.cache/bridge/jaxley-venv")
JAXLEY_SCRIPT = r"""
import json, sys, time
import numpy as np
import jax
jax.config.update("jax_enable_x64", spec_dtype := json.loads(sys.argv[1])["dtype"] == "float64")
import jax.numpy as jnp
import jaxley as jx
from jaxley.channels import HH

spec = json.loads(sys.argv[1])
dt, tstop, ncomp = 0.025, spec["tstop"], spec["ncomp"]
cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=ncomp), parents=spec["parents"])
cell.insert(HH())
for i, (L, d, gna, gk) in enumerate(zip(spec["L"], spec["diam"], spec["gna"], spec["gk"])):
    b = cell.branch(i)
    b.set("length", L / ncomp)
    b.set("radius", d / 2)
    b.set("axial_resistivity", 100.0)
    b.set("HH_gNa", gna)
    b.set("HH_gK", gk)
cell.branch(0).comp(0).stimulate(jx.step_current(1.0, 50.0, 2.0, dt, tstop))
cell.branch(0).comp(0).record("v")
cell.make_trainable("HH_gNa")
cell.make_trainable("HH_gK")
params = cell.get_parameters()

def best(f, *a, n=3):
    out = np.inf
    for _ in range(n):
        t0 = time.perf_counter(); jax.block_until_ready(f(*a)); out = min(out, time.perf_counter() - t0)
    return out

run = jax.jit(lambda p: jx.integrate(cell, params=p, delta_t=dt, t_max=tstop))
t0 = time.perf_counter(); compiled = run.lower(params).compile(); compile_s = time.perf_counter() - t0
compiled(params)
single = best(compiled, params)
B = spec["batch"]
rng = np.random.default_rng(1)
batch = [{"HH_gNa": jnp.asarray(rng.uniform(0.03, 0.08, (B, 1)))},
         {"HH_gK": jnp.asarray(rng.uniform(0.01, 0.03, (B, 1)))}]
vrun = jax.jit(jax.vmap(lambda p: jx.integrate(cell, params=p, delta_t=dt, t_max=tstop)))
t0 = time.perf_counter(); vcompiled = vrun.lower(batch).compile(); vcompile_s = time.perf_counter() - t0
t0 = time.perf_counter(); jax.block_until_ready(vcompiled(batch)); batch_s = time.perf_counter() - t0
print(json.dumps({"ncomp": int(ncomp * len(spec["parents"])), "compile": compile_s, "run": single,
                  "batch_compile": vcompile_s, "batch": batch_s, "jax": jax.__version__, "jaxley": jx.__version__}))
"""


def ensure_jaxley() -> str:
    if os.environ.get("BRIDGE_JAXLEY_PYTHON"):  # a Python that already has jaxley (e.g. on a GPU machine)
        return os.environ["BRIDGE_JAXLEY_PYTHON"]
    python = os.path.join(JAXLEY_VENV, "bin", "python")
    if not os.path.exists(python):
        print(f"creating {JAXLEY_VENV} with jaxley 0.14 (pip) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", JAXLEY_VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "jaxley>=0.14,<0.15"], check=True)
    return python


def bench_jaxley(tree: SectionTree, tstop: float, batch: int, neuron: dict) -> None:
    """Same branching, L, diam, Ra, hh densities and stimulus in Jaxley, timed in its own venv."""
    names = list(tree.sections)
    index = {n: i for i, n in enumerate(names)}
    secs = list(tree)
    spec = {"parents": [index[s.parent] if s.parent else -1 for s in secs], "ncomp": 8, "tstop": tstop, "batch": batch,
            "L": [s.L for s in secs], "diam": [float(s.diam[0]) for s in secs], "dtype": DTYPE,
            "gna": [float(s.get_range("hh", "gnabar", 0.12)[0]) for s in secs],
            "gk": [float(s.get_range("hh", "gkbar", 0.036)[0]) for s in secs]}
    proc = subprocess.run([ensure_jaxley(), "-c", JAXLEY_SCRIPT, json.dumps(spec)], capture_output=True, text=True)
    if proc.returncode != 0:
        print("jaxley failed:", proc.stderr[-2000:])
        return
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"jaxley {r['jaxley']} (jax {r['jax']}), {r['ncomp']} compartments, {tstop:g} ms: "
          f"compile {r['compile']:.2f} s, run {r['run']:.4f} s ({r['run'] / neuron['run']:.2f}x bridge); "
          f"batch of {batch}: compile {r['batch_compile']:.2f} s, run {r['batch']:.2f} s "
          f"({batch / r['batch']:.1f} runs/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="shorter runs and a small batch")
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--neuron-subset", type=int, default=10)
    ap.add_argument("--chunk", type=int, default=0, help="parameter sets per vmap call (default 0: as run_batch on "
                    "a CPU, as many as fit a core's L2 cache; benchmarks/results/batch_cpu_s25_2026-12-07.txt)")
    ap.add_argument("--jaxley-batch", type=int, default=64, help="parameter sets in Jaxley's one vmap call")
    ap.add_argument("--tstop-batch", type=float, default=100.0)
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--skip-single", action="store_true")
    ap.add_argument("--devices", type=int, default=None, help="shard the batch over this many CPU cores as JAX "
                    "devices (0: all); default: JAX's one device, plain vmap chunks")
    ap.add_argument("--jaxley", action="store_true", help="also time Jaxley 0.14 (own venv, created on first use)")
    args = ap.parse_args()
    global DTYPE
    DTYPE = args.dtype
    if args.devices is not None:
        from bridge.solver.devices import use_cpu_cores

        use_cpu_cores(args.devices or None)
    from neuron import h

    h.load_file("stdrun.hoc")
    h.dt = 0.025
    dev = jax.devices()[0]
    print(f"jax {jax.__version__} on {dev.platform} ({dev.device_kind}), {DTYPE}, dt 0.025 ms; "
          f"NEURON {h.nrnversion(4)} single-threaded in this process, {os.cpu_count()} CPUs")
    big = branched_cell()
    if not args.skip_single:
        print(f"{'case':<34} {'comps':>6} {'compile s':>9} {'run s':>9} {'NEURON s':>9} {'ratio':>9}  max|dV| mV")
        bench_single("hh soma, 20 ms", hh_soma(), 20.0, h)
        res = bench_single(f"branched hh cell, {20 if args.quick else 100} ms", big, 20.0 if args.quick else 100.0, h)
        if args.jaxley:
            bench_jaxley(big, 20.0 if args.quick else 100.0, 32 if args.quick else args.jaxley_batch, res)
    batch = 32 if args.quick else args.batch
    bench_batch(big, 20.0 if args.quick else args.tstop_batch, batch, min(args.neuron_subset, batch), h, args.chunk,
                sharded=args.devices is not None)


if __name__ == "__main__":
    main()
