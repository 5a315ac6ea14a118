"""LONGITUDINAL_DIFFUSION against NEURON 9.0.2: calcium that diffuses along the cable between segments.

NEURON (src/nrnoc/ldifus.cpp) takes one implicit step of each diffusing STATE over the tree of the
mechanism's instances after every mechanism's nrn_state; bridge does the same
(`bridge.solver.long_diffusion`). Our own models (tests/validation/data/long_diffusion): `cable.hoc`, one
calcium shell (cad1.mod, a scalar STATE) on an unbranched cable with calcium entering at one end only;
`sodium.hoc`, sodium declared as a STATE of the ion itself (nadif.mod, `STATE { nai }`);
`tree.hoc`, four radial shells (cadif.mod, `ca[4]`, cadifus-style) on a soma and three dendrites of
different diam, nseg and diffusion constant, attached at the soma's 1 end, its 0 end and a dendrite's
middle. 100 ms each; v to 1e-9 mV, concentrations to 1e-12 relative to their largest value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bridge

DATA = Path(__file__).parent / "data" / "long_diffusion"
CABLE = ["cable(0.05).v", "cable(0.95).v", "cable(0.05).cai", "cable(0.5).cai", "cable(0.95).cai",
         "cable(0.5).ca_cad1"]
SODIUM = ["cable(0.05).v", "cable(0.95).v", "cable(0.05).nai", "cable(0.05).ena", "cable(0.5).nai",
          "cable(0.95).nai"]
TREE = ["soma(0.5).v", "dend[1](0.5).v", "dend[2](0.9).v", "soma(0.5).cai", "dend[0](0.9).cai",
        "dend[1](0.9).cai", "dend[2](0.9).cai"]


def _traces(hoc: str, probes: list[str], statements: tuple[str, ...] = ()):
    model = bridge.load_hoc(DATA / hoc, mechanisms=DATA / "mod", statements=statements)
    return bridge.Simulation(model.to_model(), record=probes).run()


def _matches_neuron(hoc: str, probes: list[str]) -> None:
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / hoc, {"recordings": probes}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    traces = _traces(hoc, probes)
    compared = {r.label: r for r in result.comparison.recordings}
    for label in probes:
        if label.endswith(".v"):
            continue
        scale = float(np.max(np.abs(np.asarray(traces[label]))))
        assert compared[label].max_abs <= 1e-12 * scale, (label, compared[label].max_abs, scale)


@pytest.mark.neuron
def test_one_shell_on_a_cable_matches_neuron():
    _matches_neuron("cable.hoc", CABLE)


@pytest.mark.neuron
def test_a_concentration_state_of_the_ion_itself_matches_neuron():
    """`STATE { nai }`: NEURON diffuses the ion's own nai (ldifus.cpp takes the ion's pointer)."""
    _matches_neuron("sodium.hoc", SODIUM)


@pytest.mark.neuron
def test_four_shells_on_a_branched_tree_match_neuron():
    _matches_neuron("tree.hoc", TREE)


@pytest.mark.parametrize("hoc, probes, off", [
    ("cable.hoc", CABLE, "cable.D_cad1 = 0"),
    ("tree.hoc", TREE, "forall DCa_cadif = 0"),
    ("sodium.hoc", SODIUM, "cable.D_nadif = 0"),
])
def test_the_diffusion_moves_the_concentration(hoc, probes, off):
    """Without diffusion the far end's concentration rises far less: the comparisons above test the diffusion."""
    far = probes[-1]
    with_diffusion = np.asarray(_traces(hoc, probes)[far])
    without = np.asarray(_traces(hoc, probes, (off,))[far])
    assert with_diffusion[-1] - with_diffusion[0] > 1.5 * (without[-1] - without[0])
