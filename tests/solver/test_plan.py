"""bridge.solver.plan and bridge.solver.record: type order, parameter pytree, probes and their errors."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.errors import BridgeError
from bridge.model import Model, Simulation
from bridge.solver.plan import BUILTIN_ORDER, type_order
from tests.solver import models


def test_type_order_is_neurons():
    assert BUILTIN_ORDER[:7] == ("capacitance", "pas", "extracellular", "fastpas", "na_ion", "k_ion", "hh")
    available = {"IClamp": 0, "hh": 0, "pas": 0, "kdr": 0, "cad": 0}
    assert type_order(["kdr", "IClamp", "cad", "hh", "pas"], available, None) == ["pas", "hh", "IClamp", "kdr", "cad"]
    assert type_order(["hh", "kdr"], available, ["kdr", "hh"]) == ["kdr", "hh"]
    with pytest.raises(BridgeError, match="does not list hh"):
        type_order(["hh", "kdr"], available, ["kdr"])


def test_default_params_come_from_the_tree():
    tree = models.branched_hh(nsec=5, seed=1)
    sim = Simulation(Model(tree, tstop=1.0, celsius=10.0))
    p = sim.params()
    hh = sim.plan.instances("hh")
    assert len(p["mechanisms"]["hh"]["gnabar"]) == hh.size == len(sim.instances("hh"))
    soma = sim.instances("hh").index(("soma", 0.5))
    assert float(p["mechanisms"]["hh"]["gnabar"][soma]) == 0.12  # NEURON's default where not set
    assert float(p["globals"]["celsius"]) == 10.0 and float(p["globals"]["v_init"]) == -65.0
    assert float(p["mechanisms"]["IClamp"]["amp"][0]) == 0.6
    assert np.all(np.diff(hh.nodes) > 0)  # instances in node order, as NEURON keeps them
    q = sim.set(p, "gnabar_hh", 0.2, section="soma")
    assert float(q["mechanisms"]["hh"]["gnabar"][soma]) == 0.2
    assert float(p["mechanisms"]["hh"]["gnabar"][soma]) == 0.12  # set() copies


@pytest.mark.parametrize("probe, message", [
    ("soma(0.5).m_hh", None),
    (("dend1", 1.0), None),
    ("soma(0.5).ina", None),
    ("soma(0.5).gnabar_hh", None),
    ("soma(0.5).zz", "no variable 'zz'"),
    ("nosuch(0.5).v", "no section named 'nosuch'"),
    ("soma(1.5).v", "0<=x<=1"),
    ("soma.v", "expected 'section\\(x\\).variable'"),
    ("dend3(0.5).m_hh", "hh is not inserted in dend3"),
    ("dend3(0.5).ena", "na_ion is not present"),
])
def test_probes(probe, message):
    tree = models.branched_hh(nsec=5, seed=1)  # dend3 has pas, not hh
    model = Model(tree, tstop=0.1)
    if message is None:
        tr = Simulation(model, record=[probe]).run()
        assert tr.values.shape == (5, 1) and np.isfinite(np.asarray(tr.values)).all()
    else:
        with pytest.raises(BridgeError, match=message):
            Simulation(model, record=[probe])


def test_point_process_probe():
    tree = models.hh_soma()
    stim = tree.point_processes[0]
    tr = Simulation(Model(tree, tstop=3.0), record=[(stim, "i")]).run()
    i = np.asarray(tr.values[:, 0])
    assert i[0] == 0.0 and i[-1] == 0.1  # on from del = 2 ms (midpoint time)


def test_bad_models_are_refused():
    tree = models.hh_soma()
    tree["soma"].insert("kdr")
    with pytest.raises(BridgeError, match="'kdr' is used in the model but not loaded"):
        Simulation(Model(tree))
    tree = models.hh_soma()
    tree["soma"].mechanisms["hh"]["gnabarr"] = np.array([0.1])
    with pytest.raises(BridgeError, match="no range parameter 'gnabarr'"):
        Simulation(Model(tree))
    with pytest.raises(BridgeError, match="unknown global"):
        Simulation(Model(models.hh_soma(), globals={"usetable_kdr": 0}))
    with pytest.raises(BridgeError, match="secondorder"):
        Model(models.hh_soma(), secondorder=3)
    tree = models.hh_soma()
    tree["soma"].insert("IClamp")
    with pytest.raises(BridgeError, match="IClamp is a point process"):
        Simulation(Model(tree))
    tree = models.hh_soma()
    tree.add_point_process("pas", "soma", 0.5)
    with pytest.raises(BridgeError, match="pas is a density mechanism"):
        Simulation(Model(tree))


def test_set_ion_values_per_segment():
    sim = Simulation(Model(models.hh_soma(), tstop=0.5), record=["soma(0.5).ena"])
    p = sim.set(sim.params(), "ena", 55.0, section="soma")
    assert float(sim.run(p).values[-1, 0]) == 55.0  # hh only reads ena: it stays as set
    assert float(sim.run().values[-1, 0]) == 50.0


def test_point_process_probe_by_label():
    """"IClamp[0].i" reads the point process labelled so (HOC's object names), as (pp, "i") does."""
    tree = models.branched_hh(nsec=3, seed=2)
    pp = tree.add_point_process("IClamp", "soma", 0.5, label="IClamp[7]", **{"del": 0.0, "dur": 1.0, "amp": 0.2})
    model = Model(tree, tstop=0.1)
    by_label = np.asarray(Simulation(model, record=["IClamp[7].i"]).run().values)
    by_object = np.asarray(Simulation(model, record=[(pp, "i")]).run().values)
    assert np.array_equal(by_label, by_object) and by_label.max() == 0.2
    with pytest.raises(BridgeError, match=r"no point process labelled 'IClamp\[8\]' \(labelled: .*IClamp\[7\]"):
        Simulation(model, record=["IClamp[8].i"])
