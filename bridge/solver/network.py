"""A model's event network as data: artificial cells and NetCons (NEURON's NetCon, NetStim, ...).

    net = Network(cells=(ArtificialCell("NetStim", {"start": 1, "interval": 5, "number": 3}),),
                  netcons=(NetCon(source=("cell", 0), target=("point", 0), weight=(0.01,), delay=1.0),
                           NetCon(source=("v", "soma", 0.5), target=None, threshold=-20, record=True)))

A source is `("v", section, x)` (threshold detection on v at that segment, NEURON's
`new NetCon(&sec.v(x), target)`), `("point", i, "x")` (threshold detection on variable x, a STATE or
ASSIGNED, of the i-th point process: `new NetCon(&pp.x, target)`), `("cell", i)` (the i-th
artificial cell's `net_event`),
`("point", i)` (the i-th point process of the tree: its NET_RECEIVE's `net_event`) or
None (a NetCon without a source). A target is `("point", i)` (the i-th point process of the
tree, which must have a NET_RECEIVE block), `("cell", i)` or None (a NetCon that only
detects spikes, for `record`). `weight` is NEURON's weight vector (NET_RECEIVE's arguments;
missing ones are 0). `record=True` records the source's spike times (`NetCon.record(vec)`).
NetCons sharing a source share one detector (NEURON's PreSyn), as in NEURON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bridge.errors import BridgeError


@dataclass(frozen=True)
class ArtificialCell:
    """One instance of an ARTIFICIAL_CELL mechanism (NetStim, ...), with its RANGE parameters."""

    name: str
    params: Mapping[str, float | tuple[float, ...]] = field(default_factory=dict)  # a tuple: a VecStim's times
    label: str = ""  # e.g. "NetStim[0]"
    # RANDOM variable -> (id1, id2, id3) or (id1, id2, id3, seq*4 + which): NEURON's `cell.ranvar.set_ids(...)`
    # (and `.set_seq(...)`); without it the stream is NEURON's default (1, 0, n), n counting the RANDOM
    # streams of the network's cells in creation order (bridge.solver.events.default_params)
    randoms: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class NetCon:
    """NEURON's NetCon: where events come from, where they go, weight vector, delay [ms], threshold [mV]."""

    source: tuple | None
    target: tuple | None
    weight: tuple[float, ...] = (0.0,)
    delay: float = 1.0  # [ms]
    threshold: float = 10.0  # [mV], for a ("v", ...) source
    active: bool = True
    record: bool = False
    label: str = ""  # e.g. "NetCon[0]"


@dataclass(frozen=True)
class Network:
    """Artificial cells and NetCons, in creation order (NEURON delivers equal-time events in that order)."""

    cells: tuple[ArtificialCell, ...] = ()
    netcons: tuple[NetCon, ...] = ()

    def __post_init__(self) -> None:
        for nc in self.netcons:
            for end in (nc.source, nc.target):
                if end is not None and (not isinstance(end, tuple) or not end or end[0] not in ("v", "cell", "point")):
                    raise BridgeError(f"NetCon {nc.label or ''}: an end must be ('v', section, x), ('cell', i), "
                                      f"('point', i) or None, got {end!r}")
            if nc.target is not None and nc.target[0] == "v":
                raise BridgeError("a NetCon target must be a point process or an artificial cell")
            if not nc.delay >= 0:
                raise BridgeError(f"NetCon {nc.label}: delay must be >= 0, got {nc.delay}")

    def __bool__(self) -> bool:
        return bool(self.cells or self.netcons)
