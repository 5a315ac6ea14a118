"""`capture_neuron(h)`: a live NEURON session's cells *and* network (NetCons, artificial cells, gids).

    cap = bridge.capture_neuron(h)          # after the network is built, before or after finitialize
    sim = bridge.Simulation(cap.model(tstop=100), record=["soma(0.5).v"])
    sim.run().spikes(cap.gids[3])           # spike times of gid 3 (one process: pc.cell/gid_connect)

The sections and point processes are `from_neuron(h)`'s SectionTree. Every NetCon (`h.List("NetCon")`,
creation order: NEURON delivers equal-time events in that order) becomes a `bridge.solver.network.NetCon`
with its weights, delay, threshold, `.active()` and whether its source records spikes
(`NetCon.record(vec)`, `pc.spike_record`: `get_recordvec()`); every ARTIFICIAL_CELL instance an
`ArtificialCell` with its RANGE PARAMETERs, per mechanism type in NEURON's type order then creation
order (the order of their INITIAL blocks). What bridge cannot reproduce is refused, never skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from bridge.errors import UnsupportedFeature
from bridge.hoc.from_neuron import _mechanism_parameters, read_tree, section_names
from bridge.hoc.from_neuron_state import node_voltages, vecstim_times
from bridge.model import Model
from bridge.morphology.tree import SectionTree
from bridge.solver.network import ArtificialCell, NetCon, Network
from bridge.solver.vecstim import NAME as VECSTIM
from bridge.solver.vecstim import vecstim_cell

# ARTIFICIAL_CELLs whose state is not in their RANGE PARAMETERs: refused with the reason.
# (A new one that bridge supports gets a reader here, as NetStim's noise check and VecStim's times below.)
_REFUSED_ARTIFICIAL = {
    "PatternStim": "its spike pattern is Vectors given by PatternStim.play(), which bridge does not support",
}


@dataclass(frozen=True)
class NeuronCapture:
    """The SectionTree and Network of a NEURON session, and the session's run settings."""

    tree: SectionTree
    network: Network
    gids: dict[int, str] = field(default_factory=dict)  # gid -> spike label of its source
    settings: dict[str, float] = field(default_factory=dict)  # dt [ms], tstop [ms], celsius [degC], v_init [mV]
    node_v: np.ndarray | None = None  # [mV] each node's v when captured, in node_layout(tree) order
    section_names: tuple[str, ...] = ()  # bridge's name of each section, in h.allsec() order

    def model(self, keep_v: bool = False, **kwargs) -> Model:
        """`bridge.Model(tree, network=network, dt=, tstop=, celsius=, v_init=)` from NEURON's values;
        `kwargs` override them or add others (`mechanisms=` for the session's own .mod files). `keep_v`:
        each node starts from the v it had when captured (`node_v`), as NEURON's `finitialize()` without an
        argument (hnn-core's cells set v per section and call `h.finitialize()`)."""
        settings = {**self.settings, **({"v_init": self.node_v} if keep_v else {})}
        return Model(self.tree, network=self.network, **{**settings, **kwargs})


def capture_neuron(h=None, vecstims: Mapping | None = None) -> NeuronCapture:
    """The cells (`from_neuron`), NetCons and artificial cells of NEURON's session `h`. `vecstims` maps each
    VecStim (the object or its hname()) to the Vector (or times [ms]) it plays (`vs.play(vec)`), which
    Python cannot read from NEURON."""
    if h is None:
        from neuron import h  # noqa: F811 - NEURON is imported only when this is called
    tree, name_of = read_tree(h)
    netcons = list(h.List("NetCon"))
    if netcons and int(h.List("FInitializeHandler").count()):
        raise UnsupportedFeature("capture_neuron: the session has an FInitializeHandler; bridge cannot run its "
                                 "callback, which may queue events (NetCon.event) or change states at finitialize")
    cells, cell_index = _artificial_cells(h, vecstims or {})
    point_index = {pp.label: i for i, pp in enumerate(tree.point_processes)}
    ends = _Ends(h, point_index, cell_index, name_of)
    out: list[NetCon] = []
    gids: dict[int, str] = {}
    for nc in netcons:
        label = nc.hname()
        source = ends.source(nc, label)
        target = None if nc.syn() is None else ends.target(nc.syn(), label)
        gid = int(nc.srcgid())
        if gid >= 0:
            gids[gid] = _source_label(source, cells, tree)
        out.append(NetCon(source, target, weight=tuple(float(nc.weight[j]) for j in range(int(nc.wcnt()))),
                          delay=float(nc.delay), threshold=float(nc.threshold), active=bool(nc.active()),
                          record=nc.get_recordvec() is not None, label=label))
    settings = {"dt": float(h.dt), "celsius": float(h.celsius)}
    for name in ("tstop", "v_init"):  # stdrun.hoc's; without it the Model's defaults
        if hasattr(h, name):
            settings[name] = float(getattr(h, name))
    return NeuronCapture(tree, Network(cells=tuple(cells), netcons=tuple(out)), gids, settings,
                         node_voltages(h, tree, name_of), tuple(section_names(h)))


def _artificial_cells(h, vecstims: Mapping) -> tuple[list[ArtificialCell], dict[str, int]]:
    """Every ARTIFICIAL_CELL instance (NEURON's MechanismType(1) order, then creation order), and the
    index of each by its hname."""
    mt = h.MechanismType(1)
    name = h.ref("")
    cells: list[ArtificialCell] = []
    index: dict[str, int] = {}
    for i in range(int(mt.count())):
        if not mt.is_artificial(i):
            continue
        mt.select(i)
        mt.selected(name)
        mech = name[0]
        instances = list(h.List(mech))
        if not instances:
            continue
        if mech in _REFUSED_ARTIFICIAL:
            raise UnsupportedFeature(f"capture_neuron: {instances[0].hname()}: {_REFUSED_ARTIFICIAL[mech]}")
        params = _mechanism_parameters(h, mech, True)
        for obj in instances:
            index[obj.hname()] = len(cells)
            if mech == VECSTIM:
                cells.append(vecstim_cell(vecstim_times(obj, vecstims), label=obj.hname()))
                continue
            values = {p: float(getattr(obj, p)) for p in params}
            if mech == "NetStim" and values.get("noise", 0.0) != 0.0:
                raise UnsupportedFeature(f"capture_neuron: {obj.hname()}: NetStim.noise = {values['noise']:g}; "
                                         "the random streams of a noisy NetStim are not captured")
            cells.append(ArtificialCell(mech, values, label=obj.hname()))
    return cells, index


@dataclass
class _Ends:
    """Resolves a NetCon's source and target to the Network's ("v", sec, x), ("point", i), ("cell", i)."""

    h: object
    point_index: dict[str, int]
    cell_index: dict[str, int]
    name_of: Callable[[object], str]  # NEURON section -> bridge's section name

    def _object(self, obj, label: str, role: str) -> tuple:
        name = obj.hname()
        if name in self.cell_index:
            return ("cell", self.cell_index[name])
        if name in self.point_index:
            return ("point", self.point_index[name])
        raise UnsupportedFeature(f"capture_neuron: {label}: its {role} {name} is neither an artificial cell nor "
                                 "a point process located in a section")

    def target(self, obj, label: str) -> tuple:
        return self._object(obj, label, "target")

    def source(self, nc, label: str) -> tuple | None:
        pre = nc.pre()
        if pre is not None:
            return self._object(pre, label, "source")
        seg = nc.preseg()
        if seg is not None:  # &sec.v(x): NEURON's preseg() names only a v source
            return ("v", self.name_of(seg.sec), float(seg.x))
        if nc.preloc() == -2:  # a variable other than v (preloc pushed its section)
            self.h.pop_section()
            raise UnsupportedFeature(f"capture_neuron: {label}: its source is a variable other than v "
                                     "(new NetCon(&pp.x, ...) or &sec.var(x)); bridge detects thresholds on v only")
        gid = int(nc.srcgid())
        if gid >= 0:
            raise UnsupportedFeature(f"capture_neuron: {label}: its source gid {gid} has no cell on this process")
        if nc.syn() is not None:
            raise UnsupportedFeature(f"capture_neuron: {label}: a NetCon without a source gets its events from "
                                     "NetCon.event() calls during the run, which bridge cannot see")
        return None


def _source_label(source: tuple | None, cells: list[ArtificialCell], tree: SectionTree) -> str:
    """The label bridge gives a recorded source (events.py `_source_label`)."""
    if source is None:
        return ""
    if source[0] == "v":
        return f"{source[1]}({source[2]:g}).v"
    if source[0] == "cell":
        return cells[source[1]].label
    return tree.point_processes[source[1]].label
