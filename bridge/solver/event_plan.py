"""The static part of an event network: which mechanism receives, which NetCon fans out from which source
(NEURON's PreSyn), the buffer sizes (`EventSettings`). Built once per model from a `Network` (docs/events.md)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.solver.network import Network
from bridge.solver.plan import BUILTIN_ORDER, Instances, Plan, assigned_starts, type_order

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


def sized_settings(network, plan) -> EventSettings:
    """EventSettings with room for the network (used when the caller gives none): a queue of at least twice
    one event per NetCon and per instance that sends itself events, and as many deliveries at one time as
    there are NetCons and such instances (up to 1024: a bigger burst at one time needs explicit settings;
    more than fit is an error, never a dropped event)."""
    selfish = sum(len(inst.nodes) for inst in plan.mechanisms
                  if getattr(inst.mechanism, "net_send_sites", 0) or getattr(inst.mechanism, "watch_flags", ()))
    n = len(network.netcons) + len(network.cells) + selfish
    base = EventSettings()
    capacity = max(base.capacity, 1 << max(0, 2 * n - 1).bit_length())
    per_step = max(base.per_step, 1 << max(0, min(n, 1024) - 1).bit_length())
    return EventSettings(capacity=capacity, per_step=min(per_step, capacity))


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


def _artificial_order(names: list[str], mechanisms, order) -> list[str]:
    """The ARTIFICIAL_CELL types in NEURON's type order (fadvance.cpp nrn_finitialize runs their INITIAL in
    memb_order_): `plan.type_order`, except bridge's own VecStim, which stands for the model's vecevent.mod and
    registers where that file name sorts among the other types' files (nrnivmodl's order)."""
    if order is not None and set(names) <= set(order):
        return type_order(names, mechanisms, order)
    ranked = type_order([n for n in names if n != "VecStim"], mechanisms, None)
    if "VecStim" not in names:
        return ranked
    def before(n: str) -> bool:  # a model's own type whose file sorts before vecevent.mod
        source = getattr(mechanisms[n], "source_file", None)
        return n not in BUILTIN_ORDER and source is not None and Path(source).name < "vecevent.mod"
    k = len(ranked)
    while k and (ranked[k - 1] not in BUILTIN_ORDER and not before(ranked[k - 1])):
        k -= 1
    return ranked[:k] + ["VecStim"] + ranked[k:]


def build_event_plan(network: Network, plan: Plan, mechanisms, tree, settings: EventSettings,
                     order=None) -> EventPlan:
    """Resolve the network against the plan: which instance each NetCon targets, which node each source reads
    (`order`: the Model's explicit mechanism type order, as `bridge.solver.plan.type_order`)."""
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
        for pname in cell.params:  # a RANGE PARAMETER, or a kept ASSIGNED's start (plan.assigned_starts)
            if pname not in mech.range_parameters and pname not in assigned_starts(mech):
                raise BridgeError(f"{cell.label or cell.name}: {cell.name} has no parameter {pname!r}")
        cell_names.append(cell.name)
    # fadvance.cpp nrn_finitialize runs the ARTIFICIAL_CELLs' INITIAL in memb_order_ (NEURON's type order)
    art = _artificial_order(list(dict.fromkeys(cell_names)), mechanisms, order)
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
