"""bridge.solver.step against real NEURON 9: every node, every step, secondorder 0/1/2.

Bar: max |dV| <= 1e-9 mV in float64 (docs/numerics.md, section 7). The remaining
differences (~1e-14 mV passive, ~3e-11 mV hh) come from XLA's exp/pow, which
differ from glibc's by one ulp in some inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from bridge.model import Model, Simulation
from tests.solver import models
from tests.solver.handwritten import builtin_mechanisms as handwritten
from tests.solver.neuron_ref import all_node_probes, run_neuron

TOL = 1e-9  # [mV]

CASES = {
    "y_pas": (models.y_cable, 14.0),  # 5a: IClamps at soma(0.5) 1-6 ms and on the zero-area node d2(1) 8-12 ms
    "y_pt3d": (lambda: models.y_cable(pt3d=True), 14.0),  # 5c: tapered, bent d2 from 5 pt3d points
    "hh_soma": (models.hh_soma, 20.0),  # 5b: spikes, rate TABLE on
    "branched_hh": (models.branched_hh, 10.0),  # 60 sections, 46 levels, x=0/interior/1 and a 1-end child
}


def _compare(tree, tstop, secondorder, extra=(), mechanisms=None, **settings):
    probes = all_node_probes(tree) + list(extra)
    model = Model(tree, mechanisms=mechanisms, tstop=tstop, secondorder=secondorder, **settings)
    sim = Simulation(model, record=probes)
    ours = sim.run()
    t, theirs = run_neuron(tree, probes, tstop=tstop, secondorder=secondorder, **settings)
    return sim, ours, t, theirs


@pytest.mark.neuron
@pytest.mark.parametrize("secondorder", [0, 1, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_voltage_matches_neuron_at_every_node(case, secondorder):
    build, tstop = CASES[case]
    tree = build()
    extra = [("soma", 0.5, "m_hh"), ("soma", 0.5, "ina")] if "hh" in case else [("soma", 0.5, "i_pas")]
    sim, ours, t, theirs = _compare(tree, tstop, secondorder, extra)
    values = np.asarray(ours.values)
    assert values.shape == theirs.shape
    nv = len(all_node_probes(tree))
    dv = np.abs(values[:, :nv] - theirs[:, :nv]).max()
    assert dv <= TOL, f"max |dV| = {dv:g} mV"
    np.testing.assert_array_equal(np.asarray(ours.t), t)  # NEURON's accumulated t, bit for bit
    # states, ion and mechanism currents too (relative: they are O(1) or O(mA/cm2))
    np.testing.assert_allclose(values[:, nv:], theirs[:, nv:], rtol=1e-9, atol=1e-12)
    assert np.ptp(theirs[:, :nv]) > 1.0  # the stimulus did something


@pytest.mark.neuron
@pytest.mark.parametrize("case", list(CASES))
def test_handwritten_mechanisms_match_neuron(case):
    """The hand-written pas/hh/IClamp (tests.solver.handwritten), independent of the NMODL translator."""
    build, tstop = CASES[case]
    tree = build()
    extra = [("soma", 0.5, "m_hh"), ("soma", 0.5, "ina")] if "hh" in case else [("soma", 0.5, "i_pas")]
    sim, ours, t, theirs = _compare(tree, tstop, 0, extra, mechanisms=handwritten())
    assert all(type(i.mechanism).__module__.startswith("tests.solver.handwritten") for i in sim.plan.mechanisms)
    values = np.asarray(ours.values)
    nv = len(all_node_probes(tree))
    assert np.abs(values[:, :nv] - theirs[:, :nv]).max() <= TOL
    np.testing.assert_allclose(values[:, nv:], theirs[:, nv:], rtol=1e-9, atol=1e-12)


@pytest.mark.neuron
def test_hh_without_table_matches_neuron():
    """usetable_hh = 0: rates computed directly (the table changes traces by ~0.5 mV, so this is a distinct path)."""
    tree = models.hh_soma()
    sim, ours, t, theirs = _compare(tree, 15.0, 0, globals={"usetable_hh": 0.0})
    assert np.abs(np.asarray(ours.values) - theirs).max() <= TOL


@pytest.mark.neuron
def test_celsius_and_v_init_match_neuron():
    """celsius enters through the hh q10 (and the table is rebuilt); v_init sets every node."""
    tree = models.branched_hh(nsec=12, seed=3)
    sim, ours, t, theirs = _compare(tree, 8.0, 0, celsius=16.3, v_init=-60.0)
    assert np.abs(np.asarray(ours.values) - theirs).max() <= TOL


_BIT_SCRIPT = r"""
import json, sys
import numpy as np
from tests.solver.handwritten import builtin_mechanisms as handwritten
from bridge.model import Model, Simulation
from tests.solver import models
from tests.solver.neuron_ref import all_node_probes
tree = models.y_cable(pt3d=sys.argv[1] == "pt3d")
sim = Simulation(Model(tree, tstop=14.0, secondorder=int(sys.argv[2])), record=all_node_probes(tree))
np.save(sys.stdout.buffer, np.asarray(sim.run().values))
"""


@pytest.mark.neuron
@pytest.mark.parametrize("shape, secondorder", [("plain", 0), ("pt3d", 2)])
def test_passive_bit_for_bit_without_fma(shape, secondorder):
    """With FMA contraction off (XLA_FLAGS=--xla_cpu_max_isa=AVX) the passive cables equal NEURON exactly:
    same node order, same operation order, float32 pt3d. (No exp/pow in the path, so nothing else differs.)"""
    import io
    import os
    import subprocess
    import sys

    tree = models.y_cable(pt3d=shape == "pt3d")
    _, theirs = run_neuron(tree, all_node_probes(tree), tstop=14.0, secondorder=secondorder)
    env = {**os.environ, "XLA_FLAGS": "--xla_cpu_max_isa=AVX", "JAX_PLATFORMS": "cpu"}  # a claim about the CPU backend
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.run([sys.executable, "-c", _BIT_SCRIPT, shape, str(secondorder)], capture_output=True,
                          env=env, cwd=root, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    ours = np.load(io.BytesIO(proc.stdout))
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.neuron
def test_several_cells_and_a_bare_section():
    """Three root nodes (NEURON's ncell = 3): the Y cable, an hh cell with a child at x=0.5, and a
    section without any mechanism (capacitance only) driven by an IClamp."""
    tree = models.y_cable()
    tree.section("b_soma", L=15, diam=15).insert("hh")
    tree.section("b_dend", L=120, diam=1.0, nseg=4)
    tree.connect("b_dend", "b_soma", 0.5)
    tree.add_point_process("IClamp", "b_dend", 1.0, **{"del": 0.5, "dur": 3.0, "amp": 0.2})
    tree.section("bare", L=30, diam=2, nseg=2)
    tree.add_point_process("IClamp", "bare", 0.5, **{"del": 1.0, "dur": 1.0, "amp": 0.01})
    sim, ours, t, theirs = _compare(tree, 8.0, 0)
    assert sim.layout.ncell == 3
    assert np.abs(np.asarray(ours.values) - theirs).max() <= TOL
    assert np.ptp(theirs, axis=0).min() > 1.0  # every node moved
