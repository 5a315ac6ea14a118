"""`finitialize()` without an argument keeps each node's v (fadvance.cpp `nrn_finitialize` sets v only
with an argument): a model whose init() sets v per section and calls it runs as in NEURON.

The printed values of the HOC interpreter (v at every node, including the end nodes, before and after
runs) are checked in test_language_vs_neuron.py (data/finitialize_keeps_v.hoc)."""

from __future__ import annotations

import pytest

CELL = """load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 insert hh }
dend { L = 300 diam = 1 nseg = 5 insert pas e_pas = -65 insert hh gnabar_hh = 0.03 }
v_init = -80
proc init() {
    forall v = -58
    soma.v(0.5) = -52
    dend.v(1) = -61
    soma.v(1) = -55
    finitialize()
    fcurrent()
}
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 2
stim.amp = 0.2
tstop = 15
"""


@pytest.mark.neuron
def test_an_init_that_keeps_v_per_node_matches_neuron(tmp_path):
    """Every node starts from its own v (the junction soma(1)/dend(0) and dend's end node included), not
    from v_init: <= 1e-9 mV (with v_init the soma started 28 mV away)."""
    from bridge.testing import assert_matches_neuron

    (tmp_path / "cell.hoc").write_text(CELL)
    assert_matches_neuron(tmp_path / "cell.hoc", {"tstop": 15.0}, atol=1e-9)
