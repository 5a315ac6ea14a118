"""NEURON's event queue in fixed-size JAX arrays: NetCon and self-events delivered as the fixed step does.

Rules (NEURON 9.0.2; src/nrnoc/fadvance.cpp, src/nrncvode/netcvode.cpp, cvodestb.cpp; docs/events.md):
- start of a step (`deliver_net_events`): thresholds are checked at the step's t with the v
  of the step's start (`NetCvode::check_thresh`, `ConditionEvent::check`: v - threshold > 0
  and not already above: the source fires at t + 1e-10; at or below: re-armed), then every
  queued event with time <= t + dt/2 is delivered;
- end of a step (`nrn_fixed_step_lastpart`, `nrn_deliver_events`): events with time <= the
  new t are delivered (no threshold check);
- `finitialize`: INITIAL blocks (their net_sends are queued), artificial cells' INITIAL after
  the others, NET_RECEIVE INITIAL per NetCon (`NetCvode::init_events`; without one, weights
  after the first are set to 0), thresholds disarmed, then events with time <= 0 delivered;
- a firing source records its time and queues, for each of its active NetCons with a target
  in creation order, an event at time + delay (`PreSyn::send`);
- delivery sets t to the event's time while NET_RECEIVE runs (`NetCon::deliver`,
  `SelfEvent::deliver`); `net_send(d, flag)` queues a self-event at t + d carrying the weight
  vector of the event being handled (`nrn_net_send`), `net_event(tt)` fires the cell's source;
- the queue (`TQueue`) keeps its earliest item apart (`least_`); an item earlier than it takes
  its place and the old one re-enters the splay tree behind every equal-time item there; the
  tree is first-in first-out among equal times (`SPTree::enqueue`). The buffer replays this
  with a `least` slot and a sequence number per item.

- WATCH (`WatchCondition`, netcvode.cpp): checked after the sources (`check_watches`), activated and
  cleared by the NET_RECEIVE runs that reach a WATCH statement (`_activate_watches`).

Buffer (carried in the scan): per slot `t` [ms], `nc` (NetCon index whose weights the event
carries, -1 none, -2 a WATCH event), `recv`/`inst` (receiving mechanism and instance), `flag`, `seq`, `valid`;
`least` (slot or -1), `counter`; per NetCon its NET_RECEIVE arguments `args` (weights: state
kept between events); per threshold source its armed flag; per recorded source the spike times.
A full buffer, more than `per_step` deliveries due at one time, or a full spike record sets
`overflow` to the time it happened (inf: none): the run then fails (model.Simulation.check).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.mechanisms.protocol import Env
from bridge.solver.network import Network
from bridge.solver.plan import BUILTIN_ORDER, Instances, Plan
from bridge.solver.tqmove import BIG, move
from bridge.solver.tqmove import tree_min as _tree_min
from bridge.solver.tqueue import due, insert, insert_many, pop
from bridge.solver.tqueue import overflow as _overflow

THRESHOLD_EPS = 1e-10  # [ms] NetCvode::check_thresh sends at t + 1e-10


@dataclass(frozen=True)
class EventSettings:
    """Sizes of the event buffers (static): queued events, deliveries at one time, spikes per source."""

    capacity: int = 256
    per_step: int = 16
    spikes: int = 1024
    # False: delivery and threshold checks are while loops: under vmap a step runs the pops its busiest
    # member needs (True: `per_step` masked pops per step), but jax.grad raises (no reverse mode)
    differentiable: bool = True


@dataclass(frozen=True, eq=False)
class Receiver:
    """A mechanism whose instances receive events: a point process (`inst` its Instances) or artificial cells."""

    mechanism: Any  # a TranslatedMechanism with a NET_RECEIVE block (init_events, net_receive_events)
    size: int
    inst: Instances | None
    labels: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.mechanism.name  # type: ignore[attr-defined]


@dataclass(frozen=True, eq=False)
class EventPlan:
    """The static network: receivers, NetCons, sources (numpy), and buffer sizes."""

    receivers: tuple[Receiver, ...]
    nc_recv: np.ndarray  # (nnc,) receiver index, -1 without target
    nc_inst: np.ndarray
    nc_delay: np.ndarray  # [ms]
    nc_live: np.ndarray  # active and with a target: PreSyn::send queues an event
    weights: np.ndarray  # (nnc, W) defaults
    width: int
    thr_node: np.ndarray  # (nthr,) node of each threshold source, in creation order
    thr_value: np.ndarray  # [mV]
    thr_source: np.ndarray  # (nthr,) source index
    fanout: np.ndarray  # (nsrc, F) NetCon indices, -1 padded
    cell_source: tuple[np.ndarray, ...]  # per receiver: (size,) source index of each instance (net_event), -1 none
    recorded: np.ndarray  # (nsrc,) row in the spike record, -1 not recorded
    record_labels: tuple[str, ...]
    settings: EventSettings
    w_recv: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int32))  # per WATCH slot
    w_inst: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int32))
    w_flag: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    w_base: tuple[int, ...] = ()  # per receiver: its first WATCH slot (slot = base + instance * W + k)
    q_base: tuple[int, ...] = ()  # per receiver calling net_move: its first `tq` entry (else -1)
    q_size: int = 0
    fnc: tuple[np.ndarray | None, ...] = ()  # per receiver with FOR_NETCONS: (size, F) NetCons targeting each
    thr_var: tuple[tuple[str, str, int] | None, ...] = ()  # per threshold source: (mechanism, variable, instance)
    # of a point-process variable (`new NetCon(&pp.x, target)`), None for v (thr_node)


def build_event_plan(network: Network, plan: Plan, mechanisms, tree, settings: EventSettings) -> EventPlan:
    """Resolve the network against the plan: which instance each NetCon targets, which node each source reads."""
    point_index = {}  # tree point-process index -> (mechanism name, instance index)
    for inst in plan.mechanisms:
        for k, pp in enumerate(inst.point_processes):
            point_index[id(pp)] = (inst.name, k)
    tree_pps = list(tree.point_processes)
    cell_names = []
    for cell in network.cells:
        mech = mechanisms.get(cell.name)
        if mech is None or mech.kind != "artificial":
            raise BridgeError(f"{cell.label or cell.name}: {cell.name} is not a loaded ARTIFICIAL_CELL mechanism")
        for pname in cell.params:
            if pname not in mech.range_parameters:
                raise BridgeError(f"{cell.label or cell.name}: {cell.name} has no parameter {pname!r}")
        cell_names.append(cell.name)
    rank = {n: i for i, n in enumerate(BUILTIN_ORDER)}
    art = sorted(dict.fromkeys(cell_names), key=lambda n: (rank.get(n, len(rank)), cell_names.index(n)))
    art_members = {n: [i for i, c in enumerate(network.cells) if c.name == n] for n in art}
    receivers = []
    for inst in plan.mechanisms:
        if inst.mechanism.kind == "point" and getattr(inst.mechanism, "receives_events", False):
            receivers.append(Receiver(inst.mechanism, inst.size, inst,
                                      tuple(pp.label or pp.name for pp in inst.point_processes)))
    for n in art:
        receivers.append(Receiver(mechanisms[n], len(art_members[n]), None,
                                  tuple(network.cells[i].label or f"{n}[{j}]" for j, i in enumerate(art_members[n]))))
    recv_of = {r.name: k for k, r in enumerate(receivers)}
    cell_pos = {i: (recv_of[n], j) for n in art for j, i in enumerate(art_members[n])}

    nnc = len(network.netcons)
    width = max([1] + [len(r.mechanism.net_receive_args) for r in receivers])
    nc_recv = np.full(nnc, -1, np.int32)
    nc_inst = np.zeros(nnc, np.int32)
    weights = np.zeros((nnc, width))
    sources: list[tuple[Any, ...]] = []
    fan: list[list[int]] = []
    recorded_src: list[int] = []
    for c, nc in enumerate(network.netcons):
        if nc.target is not None:
            if nc.target[0] == "point":
                pp = tree_pps[nc.target[1]]
                name, k = point_index[id(pp)]
                if name not in recv_of:
                    raise UnsupportedFeature(f"NetCon {nc.label}: target {pp.label or name} has no NET_RECEIVE block")
                nc_recv[c], nc_inst[c] = recv_of[name], k
            else:
                nc_recv[c], nc_inst[c] = cell_pos[nc.target[1]]
            nargs = len(receivers[nc_recv[c]].mechanism.net_receive_args)
            if len(nc.weight) > nargs and any(w != 0 for w in nc.weight[nargs:]):
                raise BridgeError(f"NetCon {nc.label}: {len(nc.weight)} weights for a NET_RECEIVE with {nargs} "
                                  "arguments")
        weights[c, :min(width, len(nc.weight))] = nc.weight[:width]
        if nc.source is None:
            continue
        key: tuple[Any, ...]
        if nc.source[0] == "cell":
            key = nc.source
        elif nc.source[0] == "point" and len(nc.source) == 3:  # `new NetCon(&pp.x, target)`: a threshold on x
            key = _variable_source(nc, tree_pps, point_index, mechanisms)
        elif nc.source[0] == "point":  # a POINT_PROCESS's net_event (its NET_RECEIVE) fires this source
            name, k = point_index[id(tree_pps[nc.source[1]])]
            if name not in recv_of or not recv_of_events(receivers[recv_of[name]]):
                raise UnsupportedFeature(f"NetCon {nc.label}: source {tree_pps[nc.source[1]].label or name} "
                                         "never calls net_event (NEURON: a point process is a NetCon source "
                                         "through net_event in its NET_RECEIVE)")
            key = ("point", recv_of[name], k)
        else:
            key = ("v", int(plan.layout.node(nc.source[1], nc.source[2])))
        if key not in sources:
            sources.append(key)
            fan.append([])
        src = sources.index(key)
        fan[src].append(c)
        if nc.record and src not in recorded_src:
            recorded_src.append(src)
    thr = [(s, key) for s, key in enumerate(sources) if key[0] in ("v", "var")]
    thresholds = {}
    for nc in network.netcons:  # NEURON: one threshold per PreSyn, the last NetCon's setting
        if nc.source is not None and nc.source[0] == "v":
            thresholds[("v", int(plan.layout.node(nc.source[1], nc.source[2])))] = nc.threshold
        elif nc.source is not None and nc.source[0] == "point" and len(nc.source) == 3:
            thresholds[_variable_source(nc, tree_pps, point_index, mechanisms)] = nc.threshold
    fmax = max([1] + [len(f) for f in fan])
    fanout = np.full((max(1, len(sources)), fmax), -1, np.int32)
    for s, f in enumerate(fan):
        fanout[s, :len(f)] = f
    cell_source = []
    for r in receivers:
        table = np.full(r.size, -1, np.int32)
        for k, key in enumerate(sources):
            if key[0] == "cell" and cell_pos[key[1]][0] == recv_of[r.name]:
                table[cell_pos[key[1]][1]] = k
            elif key[0] == "point" and key[1] == recv_of[r.name]:
                table[key[2]] = k
        cell_source.append(table)
    recorded = np.full(max(1, len(sources)), -1, np.int32)
    for row, s in enumerate(recorded_src):
        recorded[s] = row
    labels = tuple(_source_label(sources[s], network, cell_pos, receivers, plan) for s in recorded_src)
    live = np.array([nc.active and nc.target is not None for nc in network.netcons], bool)
    w_recv: list[int] = []
    w_inst: list[int] = []
    w_flag: list[float] = []
    w_base: list[int] = []
    for ri, rcv in enumerate(receivers):  # one slot per instance and WATCH condition (NEURON's WatchCondition)
        flags = tuple(getattr(rcv.mechanism, "watch_flags", ()))
        w_base.append(len(w_recv))
        for i in range(rcv.size):
            w_recv += [ri] * len(flags)
            w_inst += [i] * len(flags)
            w_flag += list(flags)
    q_base, q_size = [], 0
    for rcv in receivers:  # one `tq` entry per instance of a receiver calling net_move (NEURON's _tqitem)
        moves = int(getattr(rcv.mechanism, "net_move_sites", 0))
        q_base.append(q_size if moves else -1)
        q_size += rcv.size if moves else 0
    fnc = tuple(_for_netcons_table(r, ri, sources, fan, nc_recv, nc_inst) for ri, r in enumerate(receivers))
    return EventPlan(tuple(receivers), nc_recv, nc_inst, np.array([nc.delay for nc in network.netcons], float),
                     live, weights, width,
                     np.array([key[1] if key[0] == "v" else 0 for _, key in thr], np.int32),
                     np.array([thresholds[key] for _, key in thr]),
                     np.array([s for s, _ in thr], np.int32), fanout, tuple(cell_source), recorded, labels, settings,
                     np.array(w_recv, np.int32), np.array(w_inst, np.int32), np.array(w_flag, float), tuple(w_base),
                     tuple(q_base), q_size, fnc, tuple(key[1:] if key[0] == "var" else None for _, key in thr))


def _for_netcons_table(r: Receiver, ri: int, sources: list, fan: list, nc_recv, nc_inst) -> np.ndarray | None:
    """(size, F) the NetCons targeting each instance of a receiver with FOR_NETCONS, -1 padded, in NEURON's
    order (netcvode.cpp `fornetcon_prepare`: each PreSyn in creation order, then its NetCons in creation
    order; a NetCon without a source has no PreSyn and is not listed); None for other receivers."""
    if not getattr(r.mechanism, "for_netcons", False):
        return None
    rows: list[list[int]] = [[] for _ in range(r.size)]
    for s in range(len(sources)):
        for c in fan[s]:
            if nc_recv[c] == ri:
                rows[nc_inst[c]].append(c)
    table = np.full((r.size, max([1] + [len(x) for x in rows])), -1, np.int32)
    for i, x in enumerate(rows):
        table[i, :len(x)] = x
    return table


def _variable_source(nc, tree_pps, point_index, mechanisms) -> tuple:
    """The source key ("var", mechanism, variable, instance) of `NetCon(("point", i, "x"), ...)`: a threshold on
    a variable the point process keeps (a STATE or ASSIGNED), read at each check as NEURON reads `*thvar_`."""
    _, i, var = nc.source
    name, k = point_index[id(tree_pps[i])]
    mech = mechanisms[name]
    if var not in mech.state_defaults or var in getattr(mech, "array_sizes", {}):
        raise UnsupportedFeature(f"NetCon {nc.label}: source &{tree_pps[i].label or name}.{var}: bridge watches a "
                                 f"STATE or ASSIGNED scalar of {name} (kept: {', '.join(mech.state_defaults)})")
    return ("var", name, var, k)


def recv_of_events(r: Receiver) -> bool:
    """True when the receiver's NET_RECEIVE calls net_event (it can be a NetCon source)."""
    return any(kind == "event" for kind, _ in getattr(r.mechanism, "event_sites", ()))


def _source_label(key: tuple, network: Network, cell_pos: dict, receivers, plan: Plan) -> str:
    if key[0] == "cell":
        r, j = cell_pos[key[1]]
        return receivers[r].labels[j]
    if key[0] == "point":
        return receivers[key[1]].labels[key[2]]
    if key[0] == "var":
        inst = next(i for i in plan.mechanisms if i.name == key[1])
        pp = inst.point_processes[key[3]]
        return f"{pp.label or f'{key[1]}[{key[3]}]'}.{key[2]}"
    return plan.layout.section_names[plan.layout.section[key[1]]] + f"({plan.layout.x[key[1]]:g}).v"


def default_params(eplan: EventPlan, network: Network, new_stream=None) -> dict:
    """Parameter pytree part of the network: NetCon weights and artificial cells' RANGE parameters.

    A cell's RANDOM streams (`mechanism.randoms`) are `new_stream(r, ids)` -> {field: value}, ids the cell's
    `randoms[r]` or NEURON's default (1, 0, n): `nrnran123_newstream()` (src/gnu/nrnran123.cpp) numbers the
    streams a process makes, the n-th gets id3 = n; the cells' streams are numbered here in creation order,
    which is NEURON's numbering when nothing else made a stream before them. Values in `params` win."""
    streams: dict[int, dict[str, float]] = {}
    n = 0
    for i, c in enumerate(network.cells):
        randoms = tuple(getattr(next((r.mechanism for r in eplan.receivers if r.name == c.name), None),
                                "randoms", ()))
        for name in c.randoms:
            if name not in randoms:
                raise BridgeError(f"{c.label or c.name}: {c.name} has no RANDOM variable {name!r}")
        streams[i] = {}
        for r in randoms:
            n += 1
            ids = tuple(c.randoms.get(r, (1, 0, n)))
            if len(ids) not in (3, 4):
                raise BridgeError(f"{c.label or c.name}: stream {r} needs (id1, id2, id3[, seq]), got {ids!r}")
            if new_stream is None:
                raise BridgeError(f"{c.label or c.name}: {c.name} has RANDOM streams; default_params needs new_stream")
            streams[i].update(new_stream(r, ids))
    cells = {}
    for r in eplan.receivers:
        if r.inst is None:
            members = [i for i, c in enumerate(network.cells) if c.name == r.name]
            sizes = getattr(r.mechanism, "array_sizes", {})
            cells[r.name] = {k: _cell_values([network.cells[i] for i in members], k, d, sizes.get(k),
                                             [streams[i] for i in members])
                             for k, d in r.mechanism.range_parameters.items()}
    return {"weights": np.asarray(eplan.weights, float), "cells": cells}


def _cell_values(members, k: str, default: float, size: int | None, streams) -> np.ndarray:
    """(ncells,) values of RANGE parameter k (a stream field's default from the cell's `streams`), or
    (ncells, size) for an array parameter (a VecStim's times: each cell's list, padded with the default)."""
    if size is None:
        return np.array([float(c.params.get(k, st.get(k, default))) for c, st in zip(members, streams, strict=True)])
    out = np.full((len(members), size), float(default))
    for j, c in enumerate(members):
        given = np.asarray(c.params.get(k, ()), float).reshape(-1)
        if len(given) > size:
            raise BridgeError(f"{c.label or c.name}: {len(given)} values for {k}[{size}]")
        out[j, :len(given)] = given
    return out


# -- the buffer ------------------------------------------------------------------------------
def _args_rows(weights, width: int, dtype):
    """The NetCons' NET_RECEIVE arguments, (nnc, width); with no NetCon (only self-events: an Ipulse-style
    `net_send` from INITIAL) one row of zeros that no event reads (every event's `nc` is -1)."""
    w = jnp.asarray(weights, dtype)
    if w.ndim == 2 and w.shape[0] > 0:
        return w
    return jnp.zeros((1, width), dtype)


def empty_buffer(eplan: EventPlan, weights, dtype) -> dict:
    k = eplan.settings.capacity
    nrec = max(1, int((eplan.recorded >= 0).sum()))
    return {"t": jnp.full((k,), jnp.inf, jnp.float64), "nc": jnp.full((k,), -1, jnp.int32),
            "recv": jnp.zeros((k,), jnp.int32), "inst": jnp.zeros((k,), jnp.int32),
            "flag": jnp.zeros((k,), jnp.float64), "seq": jnp.zeros((k,), jnp.int32),
            "valid": jnp.zeros((k,), bool), "least": jnp.asarray(-1, jnp.int32), "counter": jnp.asarray(0, jnp.int32),
            "overflow": jnp.asarray(jnp.inf, jnp.float64), "args": _args_rows(weights, eplan.width, dtype),
            "armed": jnp.zeros((len(eplan.thr_node),), bool),
            "spikes": jnp.full((nrec, eplan.settings.spikes), jnp.nan, jnp.float64),
            "nspikes": jnp.zeros((nrec,), jnp.int32),
            "w_active": jnp.zeros((len(eplan.w_recv),), bool), "w_above": jnp.zeros((len(eplan.w_recv),), bool),
            "w_seq": jnp.zeros((len(eplan.w_recv),), jnp.int32), "w_counter": jnp.asarray(0, jnp.int32),
            "tq": jnp.full((eplan.q_size,), -1, jnp.int32), "move_error": jnp.asarray(jnp.inf, jnp.float64)}


def fire(eplan: EventPlan, buf: dict, src, tt, enabled) -> dict:
    """PreSyn::send from source `src` at tt: record the spike, queue one event per live NetCon."""
    if eplan.fanout.shape[0] == 0:
        return buf
    row = jnp.asarray(eplan.recorded)[jnp.maximum(src, 0)]
    rec = enabled & (row >= 0)
    r = jnp.maximum(row, 0)
    n = buf["nspikes"][r]
    cap = eplan.settings.spikes
    buf = _overflow(buf, rec & (n >= cap), tt)
    spikes = buf["spikes"].at[r, jnp.minimum(n, cap - 1)].set(
        jnp.where(rec & (n < cap), tt, buf["spikes"][r, jnp.minimum(n, cap - 1)]))
    buf = {**buf, "spikes": spikes, "nspikes": buf["nspikes"].at[r].add(jnp.where(rec & (n < cap), 1, 0))}
    fan = jnp.asarray(eplan.fanout)[jnp.maximum(src, 0)]
    cc = jnp.maximum(fan, 0)
    on = enabled & (fan >= 0) & jnp.asarray(eplan.nc_live)[cc]
    return insert_many(buf, tt + jnp.asarray(eplan.nc_delay)[cc], cc, jnp.asarray(eplan.nc_recv)[cc],
                       jnp.asarray(eplan.nc_inst)[cc], jnp.zeros(fan.shape, jnp.float64), on)


def check_thresholds(eplan: EventPlan, buf: dict, v, t, mech: dict | None = None) -> dict:
    """NetCvode::check_thresh at t: each threshold source in creation order (v at a node, or a point
    process's variable from `mech`, the mechanisms' kept state)."""
    if len(eplan.thr_node) == 0:
        return buf
    values = v[jnp.asarray(eplan.thr_node)]
    for k, var in enumerate(eplan.thr_var):
        if var is not None:
            name, x, inst = var
            values = values.at[k].set(jnp.asarray(mech[name][x], v.dtype)[inst])  # type: ignore[index]
    above = (values - jnp.asarray(eplan.thr_value, v.dtype)) > 0
    crossing = above & ~buf["armed"]
    buf = {**buf, "armed": above}
    tt = t + THRESHOLD_EPS
    source = jnp.asarray(eplan.thr_source)

    def one(k, b):  # a cond per source (skipped unless it fires); a fori_loop, so jax.grad runs through it
        return jax.lax.cond(crossing[k], lambda b: fire(eplan, b, source[k], tt, jnp.asarray(True)), lambda b: b, b)

    n = len(eplan.thr_node)
    if eplan.settings.differentiable:
        return jax.lax.cond(jnp.any(crossing), lambda b: jax.lax.fori_loop(0, n, one, b), lambda b: b, buf)
    idx = jnp.arange(n, dtype=jnp.int32)

    def after(k):  # the first crossing source after k, n when none: the loop runs once per firing source
        return jnp.min(jnp.where(crossing & (idx > k), idx, n))

    def body(c):
        return after(c[0]), fire(eplan, c[1], source[c[0]], tt, jnp.asarray(True))

    return jax.lax.while_loop(lambda c: c[0] < n, body, (after(jnp.asarray(-1, jnp.int32)), buf))[1]


def check_watches(ctx: Context, buf: dict, state: dict, t) -> dict:
    """The WATCH part of NetCvode::check_thresh at t, after the sources: each active WatchCondition in
    activation order (its HTList), `ConditionEvent::check` with teps 0: value > 0 while not above queues
    its flag at t (a WatchCondition event, no weights) and sets above; value <= 0 clears above."""
    eplan = ctx.eplan
    if not len(eplan.w_recv):
        return buf
    vals = []
    for rec in eplan.receivers:
        if getattr(rec.mechanism, "watch_flags", ()) and rec.size:
            params, v, ions, env = _receiver_inputs(ctx, rec, state, t)
            vals.append(jnp.reshape(rec.mechanism.watch_values(params, state["mech"][rec.name], v, ions, env), (-1,)))
    pos = jnp.concatenate(vals) > 0
    active = buf["w_active"]
    crossing = active & pos & ~buf["w_above"]
    buf = {**buf, "w_above": jnp.where(active, pos, buf["w_above"])}
    order = jnp.argsort(jnp.where(active, buf["w_seq"], BIG), stable=True)
    recv, inst, flag = jnp.asarray(eplan.w_recv), jnp.asarray(eplan.w_inst), jnp.asarray(eplan.w_flag)

    def send(b):
        def one(b, j):
            return insert(b, t, -2, recv[j], inst[j], flag[j], crossing[j]), None

        return jax.lax.scan(one, b, order)[0]

    return jax.lax.cond(jnp.any(crossing), send, lambda b: b, buf)


def _activate_watches(ctx: Context, buf: dict, r: int, i, records: dict, hit) -> dict:
    """After NET_RECEIVE ran on instance i of receiver r: if it ran a WATCH statement, NEURON's
    `_nrn_watch_activate` (netcvode.cpp) first clears the instance's watch list (and takes its queued
    WatchCondition events off the queue: `remove_event`), then activates each WATCH run, in order."""
    watches = records.get("watch", ())
    if not watches:
        return buf
    nw = len(watches)
    on = [hit & (w[0][0] != 0) for w in watches]
    any_on = on[0]
    for x in on[1:]:
        any_on = any_on | x
    slots = ctx.eplan.w_base[r] + i * nw + jnp.arange(nw)
    active = buf["w_active"].at[slots].set(jnp.where(any_on, False, buf["w_active"][slots]))
    kill = any_on & buf["valid"] & (buf["nc"] == -2) & (buf["recv"] == r) & (buf["inst"] == i)
    valid = buf["valid"] & ~kill
    least = buf["least"]
    least = jnp.where((least >= 0) & kill[jnp.maximum(least, 0)], _tree_min(buf, valid), least).astype(jnp.int32)
    above, seq, counter = buf["w_above"], buf["w_seq"], buf["w_counter"]
    for k, (act, (_, ab)) in enumerate(zip(on, watches)):
        slot = slots[k]
        active = active.at[slot].set(active[slot] | act)
        above = above.at[slot].set(jnp.where(act, ab[0] != 0, above[slot]))
        seq = seq.at[slot].set(jnp.where(act, counter, seq[slot]))
        counter = counter + act.astype(jnp.int32)
    return {**buf, "valid": valid, "least": least, "w_active": active, "w_above": above, "w_seq": seq,
            "w_counter": counter}


# -- delivery --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Context:
    """What delivery needs besides the state: the plans, parameters, prepared TABLEs, dt."""

    plan: Plan
    eplan: EventPlan
    params: dict
    prepared: object
    dt: float
    secondorder: int


def _receiver_inputs(ctx: Context, r: Receiver, state: dict, t):
    """(params, v, ions, env) of receiver `r`'s instances at event time t."""
    from bridge.solver.step import _env, _gather_ions  # the step's own helpers (same layer)

    v = state["v"]
    if r.inst is not None:
        env = dataclasses.replace(_env(ctx.plan, r.inst, ctx.params, ctx.prepared, t, ctx.dt, ctx.secondorder), t=t)
        return (ctx.params["mechanisms"][r.name], v[r.inst.nodes],
                _gather_ions(r.inst, state["ions"], v, state["mech"], ctx.params), env)
    env = Env(t=t, dt=ctx.dt, celsius=ctx.params["globals"]["celsius"], secondorder=ctx.secondorder)
    return ctx.params["network"]["cells"][r.name], jnp.zeros((r.size,), v.dtype), {}, env


def _take(a, inst, size: int):
    """Row `inst` of a per-instance array (shape kept: (1, ...)); anything else (a scalar) as it is."""
    if jnp.ndim(a) >= 1 and jnp.shape(a)[0] == size:
        return jax.lax.dynamic_slice_in_dim(jnp.asarray(a), inst, 1)
    return a


def _one_instance_inputs(ctx: Context, r: Receiver, state: dict, t, inst):
    """(params, state, v, ions, env) of instance `inst` of receiver `r` alone (arrays of length 1), so
    one delivery costs the same whatever the number of instances (NEURON's NET_RECEIVE runs on one
    instance: netcvode.cpp `NetCon::deliver` calls the receiver's `pnt_receive` with its Point_process)."""
    from bridge.solver.step import _env, _gather_ions  # the step's own helpers (same layer)

    v, n = state["v"], r.size
    mech = {k: _take(a, inst, n) for k, a in state["mech"][r.name].items()}
    if r.inst is not None:
        env = dataclasses.replace(_env(ctx.plan, r.inst, ctx.params, ctx.prepared, t, ctx.dt, ctx.secondorder), t=t)
        env = dataclasses.replace(env, area=_take(env.area, inst, n),
                                  diam=None if env.diam is None else _take(env.diam, inst, n))
        ions = _gather_ions(r.inst, state["ions"], v, state["mech"], ctx.params)
        params = ctx.params["mechanisms"][r.name]
        vv = v[jnp.asarray(r.inst.nodes)[inst]][None]
    else:
        env = Env(t=t, dt=ctx.dt, celsius=ctx.params["globals"]["celsius"], secondorder=ctx.secondorder)
        ions, params = {}, ctx.params["network"]["cells"][r.name]
        vv = jnp.zeros((1,), v.dtype)
    return ({k: _take(a, inst, n) for k, a in params.items()}, mech, vv,
            {k: _take(a, inst, n) for k, a in ions.items()}, env)


def queue_records(ctx: Context, buf: dict, r: int, records: dict, inst, nc, enabled, row=None, t=None) -> dict:
    """Queue what one instance's block asked for (net_send, net_event, net_move), in the file's order of call
    sites. `row`: where the instance's values are in `records` (default `inst`; 0 for a gathered instance);
    `t`: the time the block ran at (net_move's check)."""
    mech = ctx.eplan.receivers[r].mechanism
    table = jnp.asarray(ctx.eplan.cell_source[r])
    at = inst if row is None else row
    q = ctx.eplan.q_base[r] + inst if ctx.eplan.q_base and ctx.eplan.q_base[r] >= 0 else None
    for kind, site in getattr(mech, "event_sites", ()):
        if kind == "send":
            on, td, flag = (a[at] for a in records["send"][site])
            slot = jnp.argmin(buf["valid"]).astype(jnp.int32)
            put = enabled & (on != 0) & ~buf["valid"][slot]
            buf = insert(buf, td, nc, r, inst, flag, enabled & (on != 0))
            if q is not None:  # nrn_net_send: `if (flag == 1.0) *v = q` (the item net_move moves)
                buf = {**buf, "tq": buf["tq"].at[q].set(jnp.where(put & (flag == 1.0), slot, buf["tq"][q]))}
        elif kind == "move":
            on, tt = (a[at] for a in records["move"][site])
            asked = enabled & (on != 0)
            item = buf["tq"][q] if q is not None else jnp.asarray(-1, jnp.int32)
            # nrn_net_move: no pending flag-1 self-event, or tt < t, is a hoc_execerror in NEURON
            bad = asked & ((item < 0) | (tt < (t if t is not None else tt)))
            buf = move(buf, item, tt, asked & ~bad)
            buf = {**buf, "move_error": jnp.where(bad, jnp.minimum(buf["move_error"], tt), buf["move_error"])}
        else:
            on, tt = (a[at] for a in records["event"][site])
            src = table[inst] if table.size else jnp.asarray(-1)
            buf = fire(ctx.eplan, buf, src, tt, enabled & (on != 0) & (src >= 0))
    return buf


def deliver_one(ctx: Context, state: dict, buf: dict, til):
    """Deliver the queue's first event if its time <= til: its receiver's NET_RECEIVE at the event's time,
    run on the target instance alone and written back there."""
    buf, has, slot = pop(buf, til)
    t_ev, nc, recv, inst, flag = (buf[k][slot] for k in ("t", "nc", "recv", "inst", "flag"))
    args_row = jnp.where(nc >= 0, buf["args"][jnp.maximum(nc, 0)], 0.0)
    sent_nc = jnp.where(nc >= 0, nc, -1)  # a self-event sent from a WATCH event carries no weights either
    mech_state = dict(state["mech"])
    for r, rec in enumerate(ctx.eplan.receivers):
        if not rec.size:
            continue
        hit = has & (recv == r)
        i = jnp.clip(inst, 0, rec.size - 1)
        params, old, v, ions, env = _one_instance_inputs(ctx, rec, state, t_ev, i)
        nargs = len(rec.mechanism.net_receive_args)
        args = tuple(args_row[j] for j in range(nargs))
        table = ctx.eplan.fnc[r] if ctx.eplan.fnc else None
        rows = netcons = None
        if table is not None:  # FOR_NETCONS: the arguments of the NetCons targeting the instance
            rows = jnp.asarray(table)[i]
            netcons = (buf["args"][jnp.maximum(rows, 0)], rows >= 0, (rows == nc) & (nc >= 0))
        new, new_args, records = rec.mechanism.net_receive_events(params, old, v, ions, env, args, flag,
                                                                  netcons=netcons)
        if rows is not None:  # written back before the event's own NetCon (its arguments are NET_RECEIVE's)
            put = jnp.where(hit & (rows >= 0), rows, buf["args"].shape[0])
            buf = {**buf, "args": buf["args"].at[put].set(jnp.asarray(records["netcons"], buf["args"].dtype),
                                                          mode="drop")}
        if eplan_q(ctx, r) >= 0 and int(getattr(rec.mechanism, "net_send_sites", 0)) > 0:
            # nocmodl's NET_RECEIVE starts with `if (_lflag == 1.) {*(_tqitem) = nullptr;}` (nocpout.cpp)
            q = eplan_q(ctx, r) + i
            buf = {**buf, "tq": buf["tq"].at[q].set(jnp.where(hit & (flag == 1.0), -1, buf["tq"][q]))}
        full = mech_state[rec.name]
        mech_state[rec.name] = {
            k: full[k].at[i].set(jnp.where(hit, jnp.asarray(new[k], full[k].dtype)[0], full[k][i])) for k in full}
        if nargs:
            row = buf["args"][jnp.maximum(nc, 0)]
            for j in range(nargs):
                row = row.at[j].set(jnp.asarray(new_args[j], row.dtype) if jnp.ndim(new_args[j]) == 0
                                    else jnp.asarray(new_args[j], row.dtype)[0])
            buf = {**buf, "args": buf["args"].at[jnp.maximum(nc, 0)].set(
                jnp.where(hit & (nc >= 0), row, buf["args"][jnp.maximum(nc, 0)]))}
        buf = queue_records(ctx, buf, r, records, i, sent_nc, hit, row=0, t=t_ev)
        buf = _activate_watches(ctx, buf, r, i, records, hit)
    return {**state, "mech": mech_state}, buf


def eplan_q(ctx: Context, r: int) -> int:
    """Receiver r's first `tq` entry, -1 when it never calls net_move."""
    return ctx.eplan.q_base[r] if ctx.eplan.q_base else -1


def deliver(ctx: Context, state: dict, buf: dict, til):
    """NetCvode::deliver_events(til): every queued event with time <= til, in queue order (at most
    `per_step`; more sets `overflow`). Each of the `per_step` pops is a cond taken only while an event is
    due, so a step pays for the events it delivers (a static loop, not a while loop, so that jax.grad runs
    through it; under vmap the conds become selects and every pop runs; `EventSettings(differentiable=False)`:
    a while loop)."""
    def body(_, c):
        return jax.lax.cond(due(c[1], til), lambda c: deliver_one(ctx, *c, til), lambda c: c, c)

    def run(c):
        st, b = jax.lax.fori_loop(0, ctx.eplan.settings.per_step, body, c)
        return st, _overflow(b, due(b, til), til)

    if not ctx.eplan.settings.differentiable:
        def more(c):
            return (c[0] < ctx.eplan.settings.per_step) & due(c[2], til)

        _, st, b = jax.lax.while_loop(more, lambda c: (c[0] + 1, *deliver_one(ctx, c[1], c[2], til)),
                                      (jnp.asarray(0, jnp.int32), state, buf))
        return st, _overflow(b, due(b, til), til)
    return jax.lax.cond(due(buf, til), run, lambda c: c, (state, buf))


def initialize(ctx: Context, state: dict, records: dict, dtype) -> tuple[dict, dict]:
    """finitialize's event part, after the thread mechanisms' INITIAL (`records`: their net_sends):
    artificial cells' INITIAL, NetCon INITIAL, then events at t <= 0 (module docstring)."""
    eplan = ctx.eplan
    buf = empty_buffer(eplan, ctx.params["network"]["weights"], dtype)
    mech_state = dict(state["mech"])
    for r, rec in enumerate(eplan.receivers):  # thread mechanisms' INITIAL net_sends, then artificial cells'
        if rec.inst is None:
            params, v, ions, env = _receiver_inputs(ctx, rec, state, state["t"])
            start = {k: jnp.full((rec.size,), d, dtype) for k, d in rec.mechanism.state_defaults.items()}
            st, _, got = rec.mechanism.init_events(params, start, v, ions, env)
            mech_state[rec.name] = {k: jnp.asarray(x, dtype) for k, x in st.items()}
        else:
            got = records.get(rec.name)
        if got and rec.size:
            def one(b, i, r=r, got=got):
                return queue_records(ctx, b, r, got, i, jnp.asarray(-1, jnp.int32), jnp.asarray(True)), None

            buf, _ = jax.lax.scan(one, buf, jnp.arange(rec.size, dtype=jnp.int32))
    state = {**state, "mech": mech_state}
    buf = {**buf, "args": init_netcon_args(ctx, state, buf["args"])}
    return deliver(ctx, state, buf, state["t"])


def init_netcon_args(ctx: Context, state: dict, args):
    """NetCvode::init_events: NET_RECEIVE INITIAL per NetCon, else the weights after the first set to 0."""
    eplan = ctx.eplan
    for r, rec in enumerate(eplan.receivers):
        rows = np.flatnonzero(eplan.nc_recv == r)
        if not len(rows):
            continue
        nargs = len(rec.mechanism.net_receive_args)
        if "net_receive_initial" in getattr(rec.mechanism, "functions", {}):
            params, v, ions, env = _receiver_inputs(ctx, rec, state, state["t"])
            idx = eplan.nc_inst[rows]
            new = rec.mechanism.net_receive_initial(
                {k: jnp.asarray(a)[idx] for k, a in params.items()},
                {k: a[idx] for k, a in state["mech"][rec.name].items()}, v[idx],
                {k: a[idx] for k, a in ions.items()}, env, tuple(args[rows, j] for j in range(nargs)))
            for j in range(nargs):
                args = args.at[rows, j].set(jnp.asarray(new[j], args.dtype) + jnp.zeros(len(rows), args.dtype))
        else:
            args = args.at[rows, 1:].set(0.0)
    return args
