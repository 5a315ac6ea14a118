"""Event benchmarks: bridge (JAX) side by side with NEURON 9 on the same networks, same dt (0.025 ms), float64.

    .venv/bin/python benchmarks/bench_events.py [--tstop 200] [--batch 64] [--cells 100] [--fanout 100]

1. ring: 10 hh cells (soma L = diam = 20 um), cell i's v(0.5) (threshold -20 mV) -> ExpSyn on cell i+1
   (delay 1 ms, weight 0.02 uS); a NetStim (start 1 ms, one event) starts cell 0 (NEURON's ringtest pattern).
2. network: `--cells` hh cells, each with an IClamp of its own amplitude (0.1-0.3 nA, from 2 ms); every cell's
   v(0.5) drives `--fanout` NetCons to random targets, each NetCon its own ExpSyn (tau 2 ms, e 0 or -80 mV),
   weights 1e-4-1e-3 uS, delays 1-5 ms: cells x fanout synapses.
3. `--devices N`: the network on N CPU devices (bridge.NetworkShards) vs one device vs NEURON, wall and CPU.
Each: compile time (first call, jit), run time (best of 3, block_until_ready), NEURON (finitialize +
fadvance loop, best of 3) in this process, max |dV| at the somata, identical spike counts. Then a batch of
`--batch` weight sets (every NetCon weight scaled by a factor per set): one jit(vmap(run)) vs NEURON
running the sets one after another (measured on 4 sets, extrapolated); the batch runs with
`EventSettings(differentiable=False)` (while loops: no jax.grad). Each single run's |dV| is also judged
by the harness's round-off rule against NEURON's own difference (its rerun, its run with v one ulp up every ms:
benchmarks/own_roundoff.py; `--no-own` skips it).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from benchmarks import own_roundoff  # noqa: E402
from bridge.model import Model, Simulation  # noqa: E402
from bridge.morphology.tree import SectionTree  # noqa: E402
from bridge.solver.events import EventSettings  # noqa: E402
from bridge.solver.network import ArtificialCell, NetCon, Network  # noqa: E402

DT = 0.025


def ring(n: int = 10) -> dict:
    """The ringtest pattern as a plain description (cells, synapses, netcons)."""
    syns = [(i, 2.0, 0.0) for i in range(n)]  # (cell, tau, e)
    ncs = [(("v", i), i + 1 if i + 1 < n else 0, 0.02, 1.0) for i in range(n)]  # (source, synapse, weight, delay)
    return {"n": n, "clamps": [], "syns": syns, "netcons": [(("stim", 0), 0, 0.02, 1.0)] + ncs,
            "stim": {"start": 1.0, "number": 1, "interval": 10.0}}


def random_network(n: int, fanout: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    syns, ncs = [], []
    for i in range(n):
        for _ in range(fanout):
            j = int(rng.integers(n))
            syns.append((j, 2.0, 0.0 if rng.random() < 0.8 else -80.0))
            ncs.append((("v", i), len(syns) - 1, float(rng.uniform(1e-4, 1e-3)), float(rng.uniform(1.0, 5.0))))
    clamps = [float(a) for a in rng.uniform(0.1, 0.3, n)]
    return {"n": n, "clamps": clamps, "syns": syns, "netcons": ncs, "stim": None}


def bridge_sim(d: dict, tstop: float, settings: EventSettings) -> Simulation:
    tree = SectionTree()
    for i in range(d["n"]):
        tree.section(f"c{i}", L=20.0, diam=20.0).insert("hh")
    for i, amp in enumerate(d["clamps"]):
        tree.add_point_process("IClamp", f"c{i}", 0.5, **{"del": 2.0, "dur": 1e9, "amp": amp})
    for cell, tau, e in d["syns"]:
        tree.add_point_process("ExpSyn", f"c{cell}", 0.5, tau=tau, e=e)
    npp = len(d["clamps"])
    cells = (ArtificialCell("NetStim", d["stim"]),) if d["stim"] else ()
    ncs = []
    for src, syn, w, delay in d["netcons"]:
        source = ("cell", 0) if src[0] == "stim" else ("v", f"c{src[1]}", 0.5)
        ncs.append(NetCon(source, ("point", npp + syn), weight=(w,), delay=delay, threshold=-20.0))
    for i in range(d["n"]):  # record every cell's spikes
        ncs.append(NetCon(("v", f"c{i}", 0.5), None, threshold=-20.0, record=True))
    model = Model(tree, dt=DT, tstop=tstop, network=Network(cells=cells, netcons=tuple(ncs)))
    return Simulation(model, record=[f"c{i}(0.5).v" for i in range(d["n"])], events=settings)


def neuron_model(h, d: dict):
    secs = []
    for i in range(d["n"]):
        s = h.Section(name=f"c{i}")
        s.L = s.diam = 20.0
        s.insert("hh")
        secs.append(s)
    keep = []
    for i, amp in enumerate(d["clamps"]):
        ic = h.IClamp(secs[i](0.5))
        ic.delay, ic.dur, ic.amp = 2.0, 1e9, amp
        keep.append(ic)
    syns = []
    for cell, tau, e in d["syns"]:
        s = h.ExpSyn(secs[cell](0.5))
        s.tau, s.e = tau, e
        syns.append(s)
    stim = None
    if d["stim"]:
        stim = h.NetStim()
        for k, v in d["stim"].items():
            setattr(stim, k, v)
    ncs = []
    for src, syn, w, delay in d["netcons"]:
        nc = (h.NetCon(stim, syns[syn]) if src[0] == "stim"
              else h.NetCon(secs[src[1]](0.5)._ref_v, syns[syn], sec=secs[src[1]]))
        nc.weight[0], nc.delay = w, delay
        if src[0] != "stim":
            nc.threshold = -20.0
        ncs.append(nc)
    recs, vecs = [], []
    for i in range(d["n"]):
        nc = h.NetCon(secs[i](0.5)._ref_v, None, sec=secs[i])
        nc.threshold = -20.0
        vec = h.Vector()
        nc.record(vec)
        recs.append(nc)
        vecs.append(vec)
    vs = [h.Vector().record(s(0.5)._ref_v) for s in secs]
    return {"secs": secs, "keep": keep, "syns": syns, "stim": stim, "ncs": ncs, "recs": recs, "spikes": vecs,
            "v": vs}


def neuron_run(h, nsteps: int) -> float:
    t0 = time.perf_counter()
    h.finitialize(-65.0)
    for _ in range(nsteps):
        h.fadvance()
    return time.perf_counter() - t0


def bench(name: str, d: dict, tstop: float, batch: int, settings: EventSettings, h, repeat: int = 3,
          own: bool = True) -> list[str]:
    sim = bridge_sim(d, tstop, settings)
    params = sim.params()
    t0 = time.perf_counter()
    tr = sim.run(params)
    jax.block_until_ready(tr.values)
    compile_s = time.perf_counter() - t0
    run_s = min(_timed(lambda: sim.run(params).values) for _ in range(repeat))
    h.dt = DT
    nm = neuron_model(h, d)
    neuron_s = min(neuron_run(h, sim.nsteps) for _ in range(repeat))
    ref = np.array([list(v) for v in nm["v"]]).T
    dv = float(np.max(np.abs(np.asarray(tr.values) - ref)))
    ours = [len(tr.spikes(i)) for i in range(d["n"])]
    theirs = [len(v) for v in nm["spikes"]]
    lines = [f"{name}: {d['n']} cells, {len(d['syns'])} ExpSyn, {len(d['netcons'])} NetCons, {tstop:g} ms: "
             f"compile {compile_s:.2f} s, run {run_s:.3f} s, NEURON {neuron_s:.3f} s, ratio {run_s / neuron_s:.2f}x; "
             f"max |dV| {dv:.1e} mV, spikes bridge {sum(ours)} NEURON {sum(theirs)} "
             f"({'identical counts' if ours == theirs else 'COUNTS DIFFER'})"]
    print(lines[-1], flush=True)
    if own:
        lines.append(own_line(name, h, nm, np.asarray(tr.t), np.asarray(tr.values), ref, sim.nsteps, tstop))
        print(lines[-1], flush=True)
    if batch:
        scales = jnp.linspace(0.5, 1.5, batch)
        w0 = params["network"]["weights"]

        # the batch uses while loops (EventSettings.differentiable=False): under vmap a masked pop per
        # `per_step` would run on every step
        bsim = bridge_sim(d, tstop, dataclasses.replace(settings, differentiable=False))

        def one(s):
            p = {**params, "network": {**params["network"], "weights": w0 * s}}
            return bsim.run(p, check=False).values[-1]

        f = jax.jit(jax.vmap(one))
        t0 = time.perf_counter()
        jax.block_until_ready(f(scales))
        bcompile = time.perf_counter() - t0
        brun = _timed(lambda: f(scales))
        subset = 4
        base = [nc.weight[0] for nc in nm["ncs"]]
        t0 = time.perf_counter()
        for s in np.linspace(0.5, 1.5, subset):
            for nc, w in zip(nm["ncs"], base):
                nc.weight[0] = w * s
            neuron_run(h, sim.nsteps)
        neuron_one = (time.perf_counter() - t0) / subset
        lines.append(f"{name}, batch of {batch} weight sets (jit(vmap)): compile {bcompile:.2f} s, run {brun:.2f} s; "
                     f"NEURON {neuron_one:.3f} s/run x {batch} = {neuron_one * batch:.2f} s (measured on {subset}); "
                     f"ratio bridge/NEURON {brun / (neuron_one * batch):.2f}x")
        print(lines[-1], flush=True)
    for nc in nm["ncs"] + nm["recs"]:  # free NEURON's objects before the next case
        nc.weight[0] = 0.0
    return lines


def own_line(name: str, h, nm: dict, t: np.ndarray, ours: np.ndarray, ref: np.ndarray, nsteps: int,
             tstop: float) -> str:
    """Bridge's |dV| against NEURON's own difference (run again; run with v one ulp up every ms), judged by
    the harness's round-off rule (benchmarks/own_roundoff.py)."""
    spikes = {i: list(v) for i, v in enumerate(nm["spikes"])}
    neuron_run(h, nsteps)
    rerun, rerun_spikes = np.array([list(v) for v in nm["v"]]).T, {i: list(v) for i, v in enumerate(nm["spikes"])}
    steps = [0]

    def init() -> None:
        h.finitialize(-65.0)
        steps[0] = 0

    def advance_to(t_ms: float) -> None:
        while steps[0] < min(nsteps, round(t_ms / DT)):
            h.fadvance()
            steps[0] += 1

    own_roundoff.nudged_run(h, init, advance_to, tstop, interval=max(1.0, tstop / 1000))
    nudged, nudged_spikes = np.array([list(v) for v in nm["v"]]).T, {i: list(v) for i, v in enumerate(nm["spikes"])}
    j = own_roundoff.judge(t, ours, ref, rerun, nudged, spikes, rerun_spikes, nudged_spikes,
                           [f"c{i}" for i in range(len(nm["v"]))])
    worst = max(j["bridge_dv_per_label"], key=j["bridge_dv_per_label"].get)
    text = (f"{name}, round-off rule: bridge max |dV| {j['bridge_dv']:.2e} mV; NEURON's own: rerun "
            f"{j['rerun_dv']:.2e}, one ulp {j['nudged_dv']:.2e} mV; bar at the end {j['bar_end']:.2e} mV; "
            f"lead {j['lead']}; "
            f"{j['verdict']}" + (f" ({j['refused']})" if j["refused"] else "")
            + (f", horizon {j['horizon']:g} ms ({j['horizon_why']})" if np.isfinite(j["horizon"]) else "")
            + f"; worst cell {worst}: bridge {j['bridge_dv_per_label'][worst]:.2e}, "
            f"NEURON's own {j['own_dv_per_label'][worst]:.2e} mV")
    if "first_over_fixed" in j:
        f = j["first_over_fixed"]
        text += (f"; bridge first above 1e-9 mV at t = {f['t']:g} ms ({f['label']}, {f['bridge']:.2e} mV; "
                 f"NEURON's own so far {f['own_so_far']:.2e} mV)")
    if "worst" in j:
        w = j["worst"]
        text += f"; WORST EXCESS at t = {w['t']:g} ms: {w['bridge']:.2e} > bar {w['bar']:.2e}"
    return text


def bench_devices(name: str, d: dict, tstop: float, settings: EventSettings, h, ndev: int, repeat: int = 3) -> None:
    """The network on `ndev` CPU devices (bridge.NetworkShards: cells round-robin, spikes all_gathered every
    step) vs one device vs NEURON, in this process: wall and CPU seconds (this process, all threads), ratios
    first, the load average before and after."""
    from bridge.network_shard import NetworkShards

    print(f"uptime before: {os.popen('uptime').read().strip()}", flush=True)
    sim = bridge_sim(d, tstop, settings)
    params = sim.params()
    one = sim.run(params)
    one_wall, one_cpu = _timed_cpu(lambda: sim.run(params).values, repeat)
    shards = NetworkShards(sim.model, sim.labels, devices=jax.devices()[:ndev], events=settings)
    t0 = time.perf_counter()
    two = shards.run()
    compile_s = time.perf_counter() - t0
    two_wall, two_cpu = _timed_cpu(lambda: shards.run().values, repeat)
    h.dt = DT
    nm = neuron_model(h, d)
    c0, t0 = time.process_time(), time.perf_counter()
    neuron_wall = min(neuron_run(h, sim.nsteps) for _ in range(repeat))
    neuron_cpu = (time.process_time() - c0) / repeat
    ref = np.array([list(v) for v in nm["v"]]).T
    same = np.array_equal(np.asarray(one.values), np.asarray(two.values)) and all(
        np.array_equal(one.spikes(i), two.spikes(i)) for i in range(d["n"]))
    dv = float(np.max(np.abs(np.asarray(two.values) - ref)))
    spikes = sum(len(two.spikes(i)) for i in range(d["n"]))
    print(f"{name} on {ndev} CPU devices: {ndev} devices / 1 device {two_wall / one_wall:.2f}x wall "
          f"({two_cpu / one_cpu:.2f}x CPU), {ndev} devices / NEURON {two_wall / neuron_wall:.2f}x wall "
          f"({two_cpu / neuron_cpu:.2f}x CPU); {d['n']} cells, {len(d['netcons'])} NetCons, {tstop:g} ms: "
          f"{ndev} devices {two_wall:.3f} s wall {two_cpu:.3f} s CPU (compile+first run {compile_s:.1f} s), "
          f"1 device {one_wall:.3f} s wall {one_cpu:.3f} s CPU, NEURON {neuron_wall:.3f} s wall "
          f"{neuron_cpu:.3f} s CPU (best of {repeat}; CPU: mean); {ndev} devices == 1 device bit for bit: {same}; "
          f"max |dV| vs NEURON {dv:.1e} mV, {spikes} spikes", flush=True)
    print(f"uptime after: {os.popen('uptime').read().strip()}", flush=True)
    for nc in nm["ncs"] + nm["recs"]:
        nc.weight[0] = 0.0


def _timed_cpu(f, repeat: int) -> tuple[float, float]:
    """(best wall [s], mean CPU [s] of this process) of `repeat` calls of f."""
    walls, c0 = [], time.process_time()
    for _ in range(repeat):
        walls.append(_timed(f))
    return min(walls), (time.process_time() - c0) / repeat


def _timed(f) -> float:
    t0 = time.perf_counter()
    jax.block_until_ready(f())
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tstop", type=float, default=200.0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--net-batch", type=int, default=None, help="batch for the network (default --batch)")
    ap.add_argument("--cells", type=int, default=100)
    ap.add_argument("--fanout", type=int, default=100)
    ap.add_argument("--only", choices=("ring", "network"), default=None)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (best of)")
    ap.add_argument("--no-own", action="store_true", help="skip NEURON's own round-off runs")
    ap.add_argument("--parity", action="store_true",
                    help="NEURON's arithmetic (validation.arithmetic: no FMA, divisions as written, glibc's exp)")
    ap.add_argument("--devices", type=int, default=0,
                    help="run the network on this many CPU devices vs one device vs NEURON (NetworkShards)")
    args = ap.parse_args()
    if args.devices:  # before JAX's backend starts
        from bridge.solver.devices import use_cpu_cores

        use_cpu_cores(args.devices)
    if args.parity:  # before JAX's backend starts
        from validation.arithmetic import use_neuron_arithmetic

        assert use_neuron_arithmetic(), "NEURON's arithmetic could not be set"
    from neuron import h

    print(f"jax {jax.__version__} on {jax.default_backend()}, float64, dt {DT} ms; NEURON single-threaded in "
          f"this process; {os.cpu_count()} CPUs" + ("; NEURON's arithmetic" if args.parity else ""), flush=True)
    if args.devices:
        bench_devices("network", random_network(args.cells, args.fanout), args.tstop,
                      EventSettings(capacity=16384, per_step=64, spikes=256), h, args.devices, args.repeat)
        return
    if args.only != "network":
        bench("ring", ring(10), args.tstop, args.batch, EventSettings(capacity=64, per_step=16, spikes=256), h,
              args.repeat, not args.no_own)
    if args.only != "ring":
        net_batch = args.batch if args.net_batch is None else args.net_batch
        bench("network", random_network(args.cells, args.fanout), args.tstop, net_batch,
              EventSettings(capacity=16384, per_step=64, spikes=256), h, args.repeat, not args.no_own)


if __name__ == "__main__":
    main()
