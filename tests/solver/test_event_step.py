"""A run with a network traces each NET_RECEIVE once (bridge.solver.event_step): finitialize's delivery and a
step's two deliveries share one call site, so compile time does not triple. (Parity with NEURON of the same
runs: tests/solver/test_events_network.py, test_events_neuron.py.)"""

from collections import Counter

from bridge.model import Model, Simulation
from bridge.morphology.tree import SectionTree
from bridge.nmodl.runtime.mechanism import TranslatedMechanism
from bridge.solver.events import EventSettings
from bridge.solver.network import ArtificialCell, NetCon, Network


def test_net_receive_traced_once(monkeypatch):
    tree = SectionTree()
    for i in range(2):
        tree.section(f"c{i}", L=20.0, diam=20.0).insert("hh")
        tree.add_point_process("ExpSyn", f"c{i}", 0.5, tau=2.0)
    net = Network(cells=(ArtificialCell("NetStim", {"start": 0.0, "interval": 2.0, "number": 3}),),
                  netcons=(NetCon(("cell", 0), ("point", 0), weight=(0.05,), delay=0.5),
                           NetCon(("v", "c0", 0.5), ("point", 1), weight=(0.05,), delay=1.0, threshold=-20.0)))
    seen: Counter = Counter()
    original = TranslatedMechanism.net_receive_events

    def counting(self, *a, **kw):
        seen[self.name] += 1
        return original(self, *a, **kw)

    monkeypatch.setattr(TranslatedMechanism, "net_receive_events", counting)
    for differentiable in (True, False):
        seen.clear()
        sim = Simulation(Model(tree, dt=0.025, tstop=5.0, network=net), record=["c1(0.5).v"],
                         events=EventSettings(capacity=32, per_step=8, differentiable=differentiable))
        sim._jit_run.lower(sim.params())
        assert dict(seen) == {"ExpSyn": 1, "NetStim": 1}, (differentiable, seen)
