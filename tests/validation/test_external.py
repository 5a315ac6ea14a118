"""EXTERNAL variables: a mechanism reading another mechanism's GLOBAL, run against NEURON 9.

nocmodl writes `extern double gscale_scaler;`: NEURON 9.0.2 loads the mechanism only when that
C global exists (another mechanism's GLOBAL; a HOC variable fails at dlopen, "undefined
symbol"), and the mechanism reads its current value. Files: tests/validation/data/external
(our own).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bridge
from bridge.errors import UnsupportedFeature

DATA = Path(__file__).parent / "data" / "external"


@pytest.mark.neuron
@pytest.mark.parametrize("inserted", [True, False])
def test_an_external_global_set_from_hoc_matches_neuron(inserted, tmp_path):
    """The HOC sets gscale_scaler = 3.5 before the run (the default 1 moves dend's v by ~55 mV);
    the owning mechanism inserted in soma, or only loaded (NEURON's C global exists all the same)."""
    from bridge.testing import assert_matches_neuron

    hoc = tmp_path / "cell.hoc"
    text = (DATA / "cell.hoc").read_text()
    hoc.write_text(text if inserted else text.replace(" insert scaler", ""))
    result = assert_matches_neuron(hoc, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


def test_the_external_is_a_parameter_of_the_run():
    hoc = bridge.load_hoc(DATA / "cell.hoc", mechanisms=DATA / "mod")
    sim = bridge.Simulation(hoc.to_model(), record=["dend(0.9).v"])
    params = sim.params()
    assert float(params["globals"]["gscale_scaler"]) == 3.5
    high = np.asarray(sim.run(params)["dend(0.9).v"])
    low = np.asarray(sim.run(sim.set(params, "gscale_scaler", 1.0))["dend(0.9).v"])
    assert np.abs(high - low).max() > 1.0


def _tree_with(mod_text: str, tmp_path):
    mod = tmp_path / "r.mod"
    mod.write_text(mod_text)
    tree = bridge.SectionTree()
    tree.section("soma", L=10, diam=10).insert("r")
    return tree, {"r": bridge.load_mod(mod)}


def test_an_external_that_is_no_global_of_a_loaded_mechanism_is_refused(tmp_path):
    tree, mechs = _tree_with("NEURON { SUFFIX r NONSPECIFIC_CURRENT i EXTERNAL myscale }\n"
                             "ASSIGNED { v i myscale }\nBREAKPOINT { i = 1e-3*myscale*(v + 70) }\n", tmp_path)
    with pytest.raises(UnsupportedFeature, match="EXTERNAL myscale is not a GLOBAL PARAMETER of a loaded mechanism"):
        bridge.Simulation(bridge.Model(tree, mechanisms=mechs), record=["soma(0.5).v"])


def test_assigning_an_external_is_refused(tmp_path):
    mod = tmp_path / "w.mod"
    mod.write_text("NEURON { SUFFIX w EXTERNAL gscale_scaler }\nASSIGNED { gscale_scaler }\n"
                   "INITIAL { gscale_scaler = 2 }\n")
    with pytest.raises(UnsupportedFeature, match="assigning the EXTERNAL 'gscale_scaler'") as err:
        bridge.load_mod(mod)
    assert err.value.location.line == 3
