"""Ions across mechanisms: a calcium channel reading cai that a calcium pool writes, against NEURON.

cal (READ cai, cao WRITE ica) and cad (READ ica WRITE cai) from examples/cell/mod
are compiled together for NEURON and translated by bridge; NEURON's ion_style
then resets cai at init and recomputes eca every step, and cad integrates the
summed ica. v, cai, eca and the channel's gate are compared.
"""

from pathlib import Path

import numpy as np
import pytest

from bridge.model import Model, Simulation
from bridge.morphology.tree import SectionTree
from bridge.nmodl.load import load_mechanisms
from validation.neuron_run import run_neuron

pytestmark = pytest.mark.neuron
MOD = Path(__file__).resolve().parents[2] / "examples" / "cell" / "mod"


@pytest.mark.skipif(not (MOD / "cal.mod").exists(), reason="example mechanisms not present")
def test_calcium_channel_and_pool_share_cai_like_neuron():
    tree = SectionTree()
    soma = tree.section("soma", L=18.8, diam=18.8)
    soma.insert("hh")
    soma.insert("cal")
    soma.insert("cad", taur=20.0)
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 2.0, "dur": 20.0, "amp": 0.15})
    mechs = load_mechanisms(MOD)
    probes = [("soma", 0.5, "v"), ("soma", 0.5, "cai"), ("soma", 0.5, "eca"), ("soma", 0.5, "ica")]
    model = Model(tree, mechanisms={k: mechs[k] for k in ("cal", "cad")}, celsius=16.0, tstop=30.0,
                  order=["capacitance", "pas", "na_ion", "k_ion", "hh", "IClamp", "ca_ion", "cad", "cal"])
    ours = np.asarray(Simulation(model, record=[f"{s}({x}).{v}" for s, x, v in probes]).run().values)
    _, theirs = run_neuron(tree, probes, mod_files=[MOD / "cad.mod", MOD / "cal.mod"], tstop=30.0, celsius=16.0)
    assert ours.shape == theirs.shape
    assert theirs[:, 1].max() > 2 * theirs[0, 1]  # calcium really accumulates
    assert np.abs(ours[:, 0] - theirs[:, 0]).max() <= 1e-9  # v [mV]
    assert np.abs(ours[:, 1] - theirs[:, 1]).max() <= 1e-15  # cai [mM] (~1e-4)
    assert np.abs(ours[:, 2] - theirs[:, 2]).max() <= 1e-9  # eca [mV], Nernst every step
