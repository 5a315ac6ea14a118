"""`diam` assigned on a section with 3-D points, as reconstructed cells taper their sections
(`dend.diam(0:1) = 1.1:0.9` after pt3dadd and nseg; ModelDB 140299), against NEURON 9.0.2.

NEURON keeps per-segment (node) diameters beside the 3-D points: an assignment sets the node
diameters it names, then every 3-D point takes the node diameter of its segment
(treeset.cpp nrn_diam_change); the node diameters are recomputed from the 3-D points only when
a diameter, area or ri is read, or a simulation starts (nrn_area_ri). Successive tapers over
parts of a section therefore spread the assigned values, not values re-averaged from the points
in between (bridge once re-averaged before each segment: areas off by up to 76%).
"""

from __future__ import annotations

import textwrap

import pytest

from bridge.testing import assert_matches_neuron

CELL = """
create soma, dend[3]
soma { pt3dclear() pt3dadd(0, 0, 0, 9) pt3dadd(4, 1, 0, 14) pt3dadd(9, 0, 0, 15) pt3dadd(14, -1, 0, 6) }
for i = 0, 2 connect dend[i](0), soma(0.3 + 0.2*i)
dend[0] { pt3dclear() pt3dadd(0, 0, 0, 2) pt3dadd(20, 5, 0, 1.8) pt3dadd(45, 9, 1, 1.5) pt3dadd(80, 12, 3, 1.2) }
dend[1] { pt3dclear() pt3dadd(0, 0, 0, 2.5) pt3dadd(30, -5, 0, 2) pt3dadd(61, -7, 2, 0.9) }
dend[2] { pt3dclear() pt3dadd(0, 0, 0, 1.5) pt3dadd(10, 0, 0, 1.5) pt3dadd(22, 3, 0, 1) pt3dadd(40, 2, 1, 0.8) }
soma area(0.5)                            // node diameters from the 3-D points, nseg = 1
soma nseg = 9
forall if (nseg == 1) nseg = 7
// tapers over parts of a section: nodes outside the part keep their (stale) diameters
soma.diam(0:0.3) = 6:12
soma.diam(0.3:0.62) = 12:14.5
soma.diam(0.62:1) = 14.5:5
dend[0].diam(0:1) = 1.9:1.1               // never read before: the other nodes are NEURON's default
dend[1].diam(0:0.5) = 2.2:1.6             // half of it: the other nodes keep NEURON's default 500
dend[2].diam(0.5) = 1.3                   // one node, the others read back from the 3-D points first
x = dend[2].diam(0.1)
dend[2].diam(0.1) = x*0.8
forall { insert pas g_pas = 1e-4 e_pas = -65 Ra = 150 }
soma insert hh
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 2
stim.amp = 0.4
tstop = 8
"""


@pytest.mark.neuron
def test_tapers_on_3d_sections_match_neuron(tmp_path):
    path = tmp_path / "cell.hoc"
    path.write_text(textwrap.dedent(CELL))
    result = assert_matches_neuron(path, {"default_steps": False}, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    assert result.comparison.geometry_error <= 1e-12
    print(f"max |dV| {result.comparison.max_dv:.3g} mV")
