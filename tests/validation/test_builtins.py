"""bridge's own pas, hh and IClamp (.mod files translated by bridge) in whole models against NEURON's built-ins."""

import numpy as np
import pytest

from bridge.model import Model, Simulation
from bridge.morphology.tree import SectionTree
from bridge.nmodl.load import builtin_mechanisms
from validation.neuron_run import run_neuron

pytestmark = pytest.mark.neuron


def hh_soma(amp=0.1):
    tree = SectionTree()
    soma = tree.section("soma", L=18.8, diam=18.8)
    soma.insert("hh")
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 2.0, "dur": 10.0, "amp": amp})
    return tree


def hh_cable():
    tree = SectionTree()
    soma = tree.section("soma", L=20, diam=20, Ra=100)
    soma.insert("hh")
    dend = tree.section("dend", L=300, diam=2, nseg=7, Ra=150, cm=1.2)
    dend.insert("pas", g=5e-4, e=-70.0)
    dend.insert("hh", gnabar=0.05)
    tree.connect(dend, soma, 1.0)
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 1.0, "dur": 6.0, "amp": 0.6})
    tree.add_point_process("IClamp", "dend", 1.0, **{"del": 3.0, "dur": 3.0, "amp": 0.05})
    return tree


@pytest.mark.parametrize("build,celsius", [(hh_soma, 6.3), (hh_cable, 16.0)], ids=["hh_soma", "hh_cable"])
def test_translated_builtins_match_neuron(build, celsius):
    tree = build()
    probes = [(name, 0.5, "v") for name in tree.sections] + [("soma", 0.5, "m_hh"), ("soma", 0.5, "n_hh")]
    model = Model(tree, mechanisms=builtin_mechanisms(), celsius=celsius, tstop=20.0)
    sim = Simulation(model, record=[f"{s}({x}).{v}" for s, x, v in probes])
    ours = np.asarray(sim.run().values)
    _, theirs = run_neuron(tree, probes, tstop=20.0, celsius=celsius)
    assert ours.shape == theirs.shape
    nv = len(tree.sections)
    assert np.abs(ours[:, :nv] - theirs[:, :nv]).max() <= 1e-9  # [mV]
    assert np.abs(ours[:, nv:] - theirs[:, nv:]).max() <= 1e-12
    assert ours[:, 0].max() > 0  # it spikes: the comparison covers action potentials


def test_wheel_seclamp_translated_matches_neurons_seclamp():
    from bridge.nmodl.load import load_mod
    from tests.nmodl._corpus import neuron_share

    share = neuron_share()
    if share is None:
        pytest.skip("NEURON wheel not installed")
    seclamp = load_mod(share / "modfile" / "svclmp.mod")  # SOLVE icur METHOD after_cvode, at_time, ELSE IF
    tree = SectionTree()
    soma = tree.section("soma", L=18.8, diam=18.8)
    soma.insert("hh")
    pp = tree.add_point_process("SEClamp", "soma", 0.5, dur1=2.0, amp1=-70.0, dur2=5.0, amp2=-20.0, dur3=4.0,
                                amp3=-60.0, rs=2.0)
    model = Model(tree, mechanisms={**builtin_mechanisms(), "SEClamp": seclamp}, tstop=15.0)
    ours = np.asarray(Simulation(model, record=["soma(0.5).v", (pp, "i")]).run().values)
    _, theirs = run_neuron(tree, [("soma", 0.5, "v"), ("pp:0", 0, "i")], tstop=15.0)
    assert np.abs(ours[:, 0] - theirs[:, 0]).max() <= 1e-9  # [mV]
    assert np.abs(ours[:, 1] - theirs[:, 1]).max() <= 1e-9  # [nA]
    assert np.abs(theirs[:, 1]).max() > 0.1  # the clamp really drives current


def test_builtin_seclamp_matches_neurons_seclamp():
    """bridge's own seclamp.mod (a built-in, no NEURON needed) against NEURON's SEClamp:
    v under the clamp and the clamp current i, levels switching mid-run and the clamp off."""
    tree = SectionTree()
    soma = tree.section("soma", L=18.8, diam=18.8)
    soma.insert("hh")
    dend = tree.section("dend", L=200, diam=1.5, nseg=5)
    dend.insert("pas")
    tree.connect(dend, soma, 1.0)
    pp = tree.add_point_process("SEClamp", "soma", 0.5, dur1=2.0, amp1=-70.0, dur2=5.0, amp2=-20.0, dur3=4.0,
                                amp3=-60.0, rs=2.0)
    model = Model(tree, mechanisms=builtin_mechanisms(), tstop=15.0)
    assert "SEClamp" in builtin_mechanisms()
    ours = np.asarray(Simulation(model, record=["soma(0.5).v", "dend(1.0).v", (pp, "i"), (pp, "vc")]).run().values)
    _, theirs = run_neuron(tree, [("soma", 0.5, "v"), ("dend", 1.0, "v"), ("pp:0", 0, "i"), ("pp:0", 0, "vc")],
                           tstop=15.0)
    assert np.abs(ours[:, :2] - theirs[:, :2]).max() <= 1e-9  # [mV]
    assert np.abs(ours[:, 2] - theirs[:, 2]).max() <= 1e-9  # [nA]
    assert np.array_equal(ours[:, 3], theirs[:, 3])  # the command levels, step by step
    assert np.abs(theirs[:, 2]).max() > 0.1 and theirs[-1, 3] == 0.0  # it drives current, then switches off
