"""A network's cells partitioned over devices, spikes exchanged with a collective (NEURON's ParallelContext).

    shards = NetworkShards(model, record=["cell3.soma(0.5).v"], devices=jax.devices()[:2])
    traces = shards.run()               # Simulation(model, record=...).run()'s traces and spikes

Bit for bit the same as the one-device run under NEURON's arithmetic (validation.arithmetic); under XLA's
default CPU arithmetic each device's program is compiled for its own array sizes and a rare value can round
one ulp apart (docs/events.md, "Across devices").

Cells are the connected components of the tree (each root section and everything below it), in root order;
cell i goes to device i % n (NEURON's round-robin of gids over ranks) unless `assign` gives each cell's
device. Each device builds the model of its own cells (their sections, point processes, recordings) and runs
it alone under `jax.shard_map` over a 1-D mesh: the per-device models differ, so each device's whole loop is
one branch of a `lax.switch` on its mesh index (memory per device: its own cells' state and the event queue).

Events (docs/events.md): every device keeps the whole event queue, the same on every device. At the start of
every step each device reads its own threshold sources (v at their nodes), the values are exchanged with
`jax.lax.all_gather`, and every device fires every crossing in the sources' creation order (netcvode.cpp
`NetCvode::check_thresh`) into its queue, so each queue receives the same inserts in the same order as the
one-device run's (`TQueue` ties depend on insertion order: bridge.solver.tqueue). A delivery whose target
lives on another device pops the item and runs nothing. Artificial cells (NetStim, ...) have no nodes: every
device runs all of them, identically. The exchange is once per step, where NEURON's netpar.cpp
`nrn_spike_exchange` runs once per minimum interprocessor delay; once per step is exact and costs one small
collective per step.

Refused (BridgeError naming the construct): a point process receiving events whose NET_RECEIVE sends
(net_send, net_move, net_event), WATCHes or loops FOR_NETCONS (the queue would then differ between devices);
a NetCon on a point-process variable; POINTERs (gap junctions) and transfers between cells on different
devices; a mechanism whose instances share a GLOBAL they write (`shared_globals`, `in_turn`) on several
devices; LinearMechanism; extracellular; mechanisms drawing on scop_random (one generator for all cells);
v_init per node; more devices than cells.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec

from bridge.errors import BridgeError
from bridge.morphology.tree import SectionTree
from bridge.solver import events as evlib
from bridge.solver import scop_shared
from bridge.solver.event_plan import EventPlan
from bridge.solver.event_threshold import fire_crossings, threshold_values
from bridge.solver.integrate import _with_currents, any_nan, state_watch
from bridge.solver.network import Network
from bridge.solver.step import finitialize, fixed_step_with_matrix, prepare

AXIS = "cells"


def cells(tree: SectionTree) -> list[list[str]]:
    """The tree's cells: each root section (creation order) with every section below it."""
    kids = tree.all_children()
    out = []
    for root in tree.roots():
        names, todo = [], [root.name]
        while todo:
            name = todo.pop()
            names.append(name)
            todo.extend(s.name for s in kids[name])
        out.append(names)
    return out


def assignment(ncells: int, ndev: int, assign: Sequence[int] | None = None) -> list[int]:
    """The device of each cell: `assign` if given, else round-robin (cell i on device i % ndev)."""
    if ncells < ndev:
        raise BridgeError(f"NetworkShards: {ndev} devices for {ncells} cell(s); use at most one device per cell")
    if assign is None:
        return [i % ndev for i in range(ncells)]
    out = [int(a) for a in assign]
    if len(out) != ncells or any(not 0 <= a < ndev for a in out) or len(set(out)) != ndev:
        raise BridgeError(f"NetworkShards: assign needs one device in 0..{ndev - 1} per cell ({ncells}), each "
                          f"device with a cell; got {list(assign)}")
    return out


def refuse(model, owner: dict[str, int]) -> None:
    """BridgeError for what the partitioned run cannot do (module docstring); `owner`: section -> device."""
    tree, mechs = model.tree, model.mechanisms
    if tree.linear_mechanisms:
        raise BridgeError("NetworkShards: LinearMechanism is not supported across devices")
    if np.ndim(model.v_init):
        raise BridgeError("NetworkShards: v_init per node (finitialize() without argument) is not supported")
    for sec in tree:
        if "extracellular" in sec.mechanisms:
            raise BridgeError(f"NetworkShards: extracellular in {sec.name} is not supported across devices")
        for key, (target, *_rest) in sec.pointers.items():
            if target in owner and owner[target] != owner[sec.name]:
                raise BridgeError(f"NetworkShards: POINTER {key[1]}_{key[0]} in {sec.name} points to {target} on "
                                  "another device (gap junctions between devices are not supported)")
    for pp in tree.point_processes:
        ends = [p[0] for p in pp.pointers.values()] + [p[0] for p in pp.transfers.values()]
        if any(s in owner and owner[s] != owner[pp.section] for s in ends):
            raise BridgeError(f"NetworkShards: {pp.label or pp.name} in {pp.section} has a POINTER or transfer to "
                              "a cell on another device (gap junctions between devices are not supported)")
        mech = mechs.get(pp.name)
        sends = getattr(mech, "event_sites", ()) or getattr(mech, "watch_flags", ()) or \
            getattr(mech, "for_netcons", False)
        if sends and getattr(mech, "receives_events", False):
            raise BridgeError(f"NetworkShards: {pp.label or pp.name}: {pp.name}'s NET_RECEIVE sends events "
                              "(net_send, net_move, net_event), WATCHes or loops FOR_NETCONS; not supported across "
                              "devices")
    used: dict[str, set[int]] = {}
    for sec in tree:
        for name in sec.mechanisms:
            used.setdefault(name, set()).add(owner[sec.name])
    for pp in tree.point_processes:
        used.setdefault(pp.name, set()).add(owner[pp.section])
    for name, devices in used.items():
        shared = tuple(getattr(mechs.get(name), "shared_globals", ())) + tuple(getattr(mechs.get(name), "in_turn", ()))
        if shared and len(devices) > 1:
            raise BridgeError(f"NetworkShards: {name} keeps one value for all its instances ({', '.join(shared)}: "
                              "NEURON's GLOBAL, written by each instance in turn); its instances are on several "
                              "devices; not supported")
    for name in tree.mechanism_names() + [c.name for c in (model.network or Network()).cells]:
        if scop_shared.draws(mechs.get(name)):
            raise BridgeError(f"NetworkShards: {name} draws from scop_random (one generator shared by every "
                              "cell); not supported across devices")
    for nc in (model.network or Network()).netcons:
        if nc.source is not None and nc.source[0] == "point" and len(nc.source) == 3:
            raise BridgeError(f"NetworkShards: NetCon {nc.label}: a source on a point-process variable "
                              f"(&pp.{nc.source[2]}) is not supported across devices")


def sub_tree(tree: SectionTree, keep: set[str]) -> tuple[SectionTree, dict[int, int]]:
    """A copy of `tree` with only the sections in `keep`; and global -> local point-process index."""
    sub = tree.copy()
    for name in [s.name for s in tree if s.name not in keep]:
        sub.delete(name)
    kept = [i for i, pp in enumerate(tree.point_processes) if pp.section in keep]
    return sub, {g: k for k, g in enumerate(kept)}


def sub_network(network: Network, keep: set[str], points: dict[int, int]) -> Network:
    """The network as one device sees it: every NetCon (same order, so the same indices), its ends on other
    devices None; every artificial cell."""
    def end(e):
        if e is None or e[0] == "cell":
            return e
        if e[0] == "v":
            return e if e[1] in keep else None
        return ("point", points[e[1]], *e[2:]) if e[1] in points else None

    return Network(cells=network.cells, netcons=tuple(
        dataclasses.replace(nc, source=end(nc.source), target=end(nc.target)) for nc in network.netcons))


def device_plan(glob: EventPlan, local: EventPlan, gplan, lplan, owned: np.ndarray, network: Network,
                keep: set[str]) -> EventPlan:
    """The event plan one device runs: the global queue layout (NetCons, sources, fan-out, thresholds in
    creation order) with its own receivers; a NetCon whose target is elsewhere keeps its place in the queue
    and delivers to no receiver (index len(receivers)). `owned`: which threshold sources this device reads."""
    nowhere = len(local.receivers)
    here = np.array([nc.target is not None and (nc.target[0] == "cell" or
                     (nc.target[0] == "point" and nc.target[1] is not None)) for nc in network.netcons], bool)
    nc_recv = np.where(here & (local.nc_recv >= 0), local.nc_recv, nowhere).astype(np.int32)
    nc_inst = np.where(here, local.nc_inst, 0).astype(np.int32)
    thr_node = np.zeros(len(glob.thr_node), np.int32)
    lay = gplan.layout
    for k, node in enumerate(glob.thr_node):
        if owned[k]:
            sec, x = lay.section_names[lay.section[node]], float(lay.x[node])
            if lay.node(sec, x) != node:  # the (section, x) that names the node must name it again
                raise BridgeError(f"NetworkShards: threshold source at {sec}({x:g}) does not map to one node")
            thr_node[k] = lplan.layout.node(sec, x)
    gart = {r.name: k for k, r in enumerate(glob.receivers) if r.inst is None}
    cell_source, fnc = [], []
    for r in local.receivers:
        if r.inst is None:  # artificial cells: every device runs them all, with the global source indices
            cell_source.append(glob.cell_source[gart[r.name]])
            fnc.append(glob.fnc[gart[r.name]] if glob.fnc else None)
        else:  # refused when they call net_event or FOR_NETCONS (refuse)
            cell_source.append(np.full(r.size, -1, np.int32))
            fnc.append(None)
    return dataclasses.replace(local, nc_recv=nc_recv, nc_inst=nc_inst, nc_delay=glob.nc_delay, nc_live=glob.nc_live,
                               weights=glob.weights, width=glob.width, thr_node=thr_node, thr_value=glob.thr_value,
                               thr_source=glob.thr_source, fanout=glob.fanout, cell_source=tuple(cell_source),
                               recorded=glob.recorded, record_labels=glob.record_labels,
                               fnc=tuple(fnc) if local.fnc else (), thr_var=tuple(None for _ in glob.thr_node))


def _pad(x, n: int):
    return jnp.concatenate([x, jnp.zeros((n - x.shape[0],), x.dtype)]) if x.shape[0] < n else x


class NetworkShards:
    """A Model's network run with its cells spread over `devices` (module docstring); `run()` gives the Traces
    of `Simulation(model, record, tstop=..., events=...).run()` (the same bits under NEURON's arithmetic)."""

    def __init__(self, model, record: Sequence[Any] = (), *, devices: Sequence[Any] | None = None,
                 tstop: float | None = None, events: evlib.EventSettings | None = None,
                 assign: Sequence[int] | None = None):
        from bridge.model import Model, Simulation  # the model layer builds the per-device models

        devs = list(jax.devices() if devices is None else devices)
        groups = cells(model.tree)
        where = assignment(len(groups), len(devs), assign)
        owner = {s: where[i] for i, g in enumerate(groups) for s in g}
        refuse(model, owner)
        self.mesh = Mesh(np.array(devs), (AXIS,))
        self.whole = Simulation(model, record, tstop=tstop, events=events)
        glob = self.whole.events
        if glob is None:
            raise BridgeError("NetworkShards: the model has no network (NetCons, artificial cells)")
        network = model.network or Network()
        self.parts: list[Simulation] = []
        self.points: list[dict[int, int]] = []
        gplan, lay = self.whole.plan, self.whole.plan.layout
        thr_owner = np.array([owner[lay.section_names[lay.section[n]]] for n in glob.thr_node], np.int32)
        self.columns: list[tuple[int, int]] = []  # per probe: (device, column)
        probes: list[list] = [[] for _ in devs]
        for p in record:
            d = self._probe_device(p, owner, model.tree)
            self.columns.append((d, len(probes[d])))
            probes[d].append(p)
        for d in range(len(devs)):
            keep = {s for s, o in owner.items() if o == d}
            tree, points = sub_tree(model.tree, keep)
            net = sub_network(network, keep, points)
            sub = Model(tree, model.mechanisms, celsius=model.celsius, dt=model.dt, v_init=model.v_init,
                        tstop=model.tstop, secondorder=model.secondorder, globals=dict(model.globals),
                        order=model.order, network=net)
            sim = Simulation(sub, probes[d], tstop=self.whole.tstop, events=glob.settings)
            assert sim.events is not None
            sim.events = device_plan(glob, sim.events, gplan, sim.plan, thr_owner == d, net, keep)
            self.parts.append(sim)
            self.points.append(points)
        self.thr_owner = thr_owner
        self.network = network
        self._jit = None

    @staticmethod
    def _probe_device(probe, owner: dict[str, int], tree: SectionTree) -> int:
        """The device of a probe's section (a "section(x).var" string, a (section, x, var) tuple or a
        point-process probe)."""
        from bridge.solver.record import parse_point_process_probe

        named = parse_point_process_probe(probe) if isinstance(probe, str) else None
        if named is not None:
            label = f"{named[0]}[{named[1]}]"
            pp = next((q for q in tree.point_processes if (q.label or q.name) == label), None)
            if pp is not None:
                return owner[pp.section]
        if isinstance(probe, tuple) and probe and hasattr(probe[0], "section"):
            return owner[probe[0].section]
        name = probe[0] if isinstance(probe, tuple) else str(probe).split("(")[0]
        if name not in owner:
            raise BridgeError(f"NetworkShards: probe {probe!r}: no section {name!r}")
        return owner[name]

    def _program(self):
        """The shard_map'd run: per device (t, samples, NaN found per sample, spikes, NetCon arguments).

        Each device runs its own model's whole loop, one `lax.switch` branch per device taken on the mesh
        index; the branches' `all_gather`s pair up in program order (every branch runs one per step, the same
        shape): XLA's CPU collectives rendezvous in that order."""
        sims, nthr = self.parts, len(self.thr_owner)
        width = max([1] + [len(s.labels) for s in sims])
        nsteps, dt, so = self.whole.nsteps, self.whole.model.dt, self.whole.model.secondorder
        dtype = self.whole.dtype
        owner = jnp.asarray(self.thr_owner)

        def device_run(d: int):
            sim = sims[d]

            def run(every_params):
                # the parameters are the program's inputs, as in Simulation.run: baked in as constants, XLA
                # folded them into the arithmetic (a division by a constant became a multiplication by its
                # reciprocal: other bits)
                params = jax.tree.map(lambda x: jnp.asarray(x, dtype), every_params[d])
                prepared = prepare(sim.plan, params, dt, so)
                ctx = evlib.Context(sim.plan, sim.events, params, prepared, dt, so)
                records: dict = {}
                state = finitialize(sim.plan, params, prepared, dt, so, dtype, records, currents=False)
                state = {**state, "t": jnp.zeros((), jnp.float64)}
                state, buf = evlib.initialize_queue(ctx, state, records, dtype)
                ones = jnp.ones(state["v"].shape, dtype)
                # a traced dt/2, as bridge.solver.integrate (XLA must not fold the two half-step roundings of t)
                half_dt = jax.lax.optimization_barrier(jnp.asarray(0.5 * dt, jnp.float64))

                def step(carry, k):
                    """integrate's `step_events` with the threshold values of every device: events ending
                    step k - 1, currents at k = 0, sample, NaN check, thresholds, watches, events <= t + dt/2,
                    step k."""
                    state, buf, dd, rhs = carry
                    before = sim._record(state, params)
                    half = jnp.where(k < nsteps, jnp.asarray([0.0, 0.5 * dt]), jnp.asarray([0.0, -jnp.inf]))
                    st, b = evlib.deliver(ctx, state, buf, state["t"] + half[0])
                    st = jax.lax.cond(k == 0, lambda st: _with_currents(sim.plan, params, prepared, st, dt, so),
                                      lambda st: st, st)
                    source = jnp.isnan(dd) | jnp.isnan(rhs) | ((dd == 0) & jnp.isnan(st["v"]))
                    hit = any_nan(state_watch(sim.plan, st, source))
                    y = jnp.where(k == 0, sim._record(st, params), before)
                    if nthr:  # each device's own sources, exchanged: every device fires every crossing
                        mine = jnp.where(owner == d, threshold_values(sim.events, st["v"], st["mech"]), 0.0)
                        every = jax.lax.all_gather(jnp.asarray(mine, dtype), AXIS)  # (devices, sources)
                        values = every[owner, jnp.arange(nthr)]
                        b = jax.lax.cond(k < nsteps, lambda b: evlib.check_watches(
                            ctx, fire_crossings(sim.events, b, values, st["t"]), st, st["t"]), lambda b: b, b)
                    else:
                        b = jax.lax.cond(k < nsteps, lambda b: evlib.check_watches(ctx, b, st, st["t"]),
                                         lambda b: b, b)
                    st, b = evlib.deliver(ctx, st, b, st["t"] + half[1])
                    t = st["t"]
                    new, dd, rhs = fixed_step_with_matrix(sim.plan, params, prepared, st, dt, so, half_dt)
                    carry = (new, b, jnp.asarray(dd, dtype), jnp.asarray(rhs, dtype))
                    return carry, (t, _pad(jnp.asarray(y, dtype), width), hit)

                carry = (state, buf, ones, jnp.zeros_like(ones))
                (_, buf, _, _), out = jax.lax.scan(step, carry, jnp.arange(nsteps + 1, dtype=jnp.int32))
                return (*out, _events_of(buf))
            return run

        n = len(sims)

        def program(_token, every_params):
            shapes = [jax.eval_shape(device_run(d), every_params) for d in range(n)]
            if any(s != shapes[0] for s in shapes):
                raise BridgeError("NetworkShards: the devices' outputs differ in layout")
            out = jax.lax.switch(jax.lax.axis_index(AXIS), [device_run(d) for d in range(n)], every_params)
            return jax.tree.map(lambda a: a[None], out)

        spec = PartitionSpec(AXIS)
        return jax.jit(jax.shard_map(program, mesh=self.mesh, in_specs=(spec, PartitionSpec()), out_specs=spec,
                                     check_vma=False))

    def run(self):
        """Finitialize and run to tstop on the devices; Traces with every probe and the network's spikes."""
        from bridge.model import Traces

        if self._jit is None:
            self._jit = self._program()
        n = len(self.parts)
        ts, ys, hits, ev = jax.device_get(self._jit(np.zeros((n,), np.float32),
                                                               tuple(p.host_params() for p in self.parts)))
        values = np.stack([ys[d][:, c] for d, c in self.columns], axis=1) if self.columns else \
            np.zeros((ts.shape[1], 0), ys.dtype)
        hit = np.asarray(hits).any(axis=0)
        nan_step = int(np.argmax(hit)) if hit.any() else -1
        events = {k: ev[k][0] for k in ("spikes", "nspikes", "overflow", "move_error")}
        events["weights"] = self._weights(ev["weights"])
        traces = Traces(jnp.asarray(ts[0]), jnp.asarray(values), jnp.asarray(nan_step, jnp.int32),
                        jnp.asarray(-1, jnp.int32), jnp.asarray(-1, jnp.int32), self.whole.labels, (), (),
                        events, self.whole.events.record_labels if self.whole.events else ())
        if nan_step >= 0:
            raise BridgeError(f"NetworkShards: the state holds a NaN after step {nan_step} (t = "
                              f"{float(ts[0][nan_step]):g} ms); run the one-device Simulation to locate it")
        self._check_events(events)
        return traces

    def _weights(self, per_device: np.ndarray) -> np.ndarray:
        """Each NetCon's arguments from the device that delivers to its target (artificial cells, no target:
        device 0, where they are the same)."""
        out = np.array(per_device[0])
        for c, nc in enumerate(self.network.netcons):
            if nc.target is not None and nc.target[0] == "point":
                d = next(i for i, pts in enumerate(self.points) if nc.target[1] in pts)
                out[c] = per_device[d][c]
        return out

    def _check_events(self, events: dict) -> None:
        if np.isfinite(events["overflow"]):
            raise BridgeError(f"NetworkShards: the event buffer overflowed at t = {float(events['overflow']):g} ms; "
                              "give larger EventSettings")
        if np.isfinite(events["move_error"]):
            raise BridgeError("NetworkShards: a net_move NEURON refuses")


def _events_of(buf: dict) -> dict:
    return {"spikes": buf["spikes"], "nspikes": buf["nspikes"], "overflow": buf["overflow"],
            "move_error": buf["move_error"], "weights": buf["args"]}


__all__ = ["NetworkShards", "assignment", "cells", "device_plan", "refuse", "sub_network", "sub_tree"]
