"""validation.neuron_case: the NEURON side of a case (real NEURON)."""

from __future__ import annotations

import pytest


@pytest.mark.neuron
def test_a_model_variable_named_ref_does_not_hide_h_ref(tmp_path):
    """ModelDB 118098 defines a HOC variable `ref`; the NEURON side still lists the soma's STATEs."""
    from bridge.testing import assert_matches_neuron

    (tmp_path / "cell.hoc").write_text("create soma\nsoma { L = 20 diam = 20 insert hh }\nref = 3\n")
    result = assert_matches_neuron(tmp_path / "cell.hoc", {"tstop": 5.0}, atol=1e-9)
    assert "soma(0.5).m_hh" in result.comparison.state_errors
