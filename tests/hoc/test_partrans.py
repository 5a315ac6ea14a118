"""Gap junctions by ParallelContext's transfer in one process (ModelDB 244692's cells_cx40.hoc way):
`pc.source_var(&sec.v(x), sgid)`, `pc.target_var(pp, &pp.vgap, sgid)`, `pc.setup_transfer()`, against real
NEURON 9.0.2 (<= 1e-9 mV); and what NEURON refuses, refused."""

from __future__ import annotations

import io

import numpy as np
import pytest

from bridge import HocSession
from bridge.errors import HocError, HocRefusal
from bridge.testing import assert_matches_neuron

# a voltage-dependent gap junction of our own: vgap is a RANGE ASSIGNED that only the transfer sets; the
# STATE G follows v - vgap (its rate read in the states, after the transfer), the current reads vgap
GAP_MOD = """NEURON {
    POINT_PROCESS TGap
    RANGE g0, vgap, i, G
    NONSPECIFIC_CURRENT i
}
PARAMETER { g0 = 0.02 (microsiemens) }
ASSIGNED { v (millivolt) vgap (millivolt) i (nanoamp) ginf }
STATE { G }
INITIAL { ginf = 1 / (1 + exp(-(v - vgap) / 10)) G = ginf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g0 * G * (v - vgap)
}
DERIVATIVE states {
    ginf = 1 / (1 + exp(-(v - vgap) / 10))
    G' = (ginf - G) / 2
}
"""

CELLS = """load_file("nrngui.hoc")
create cell_a, cell_b
forall { L = 200 diam = 6 nseg = 3 insert hh }
cell_b { insert pas e_pas = -70 g_pas = 1e-4 }
objref g[2], pc, stim
cell_a g[0] = new TGap(0.9999)
cell_b g[1] = new TGap(0.0001)
pc = new ParallelContext()
pctr = 0
pc.source_var(&cell_a.v(0.9999), pctr)
pc.target_var(g[1], &g[1].vgap, pctr)
pctr = pctr + 1
cell_b pc.source_var(&cell_b.v(0.0001), pctr)
pc.target_var(&g[0].vgap, pctr)
pctr = pctr + 1
{ pc.setup_transfer() }
cell_a stim = new IClamp(0.5)
stim.del = 1
stim.dur = 5
stim.amp = 0.4
tstop = 15
"""


@pytest.fixture
def model(tmp_path):
    mods = tmp_path / "mod"
    mods.mkdir()
    (mods / "tgap.mod").write_text(GAP_MOD)
    return tmp_path, mods


@pytest.mark.neuron
@pytest.mark.parametrize("secondorder", [0, 2])
def test_transfer_gap_junction_matches_neuron(model, secondorder):
    folder, mods = model
    path = folder / "cells.hoc"
    path.write_text(CELLS + f"secondorder = {secondorder}\n")
    result = assert_matches_neuron(path, {"default_steps": False, "recordings": ["cell_b(0.5).v", "TGap[1].vgap",
                                                                                "TGap[0].vgap"]},
                                   mechanisms=mods, atol=1e-9)
    print("source_var/target_var max |dV| [mV]:", result.comparison.max_dv)
    labels = result.neuron.labels
    values = np.asarray(result.neuron.values)
    va, vb = values[:, labels.index("cell_a(0.5).v")], values[:, labels.index("cell_b(0.5).v")]
    assert va.max() > 0 and vb.max() > -40  # cell_a fires and the junction drives cell_b


@pytest.mark.neuron
def test_transfer_read_from_hoc_between_steps(model):
    """HOC reads the target after finitialize and after fadvance(): the copy made then (v at the source)."""
    folder, mods = model
    path = folder / "cells.hoc"
    path.write_text(CELLS + 'finitialize(-60)\nprint "A ", g[1].vgap\nfadvance()\nfadvance()\nprint "B ", g[1].vgap - '
                            'cell_a.v(0.9999), g[0].vgap - cell_b.v(0.0001), cell_a.v(0.9999) + 60\n')
    out = io.StringIO()
    HocSession(mechanisms=mods, stdout=out).load_file(path)
    lines = {line.split()[0]: [float(x) for x in line.split()[1:]] for line in out.getvalue().splitlines()
             if line[:1] in "AB"}
    assert lines["A"] == [-60.0]
    assert lines["B"][:2] == [0.0, 0.0] and lines["B"][2] != 0.0  # v moved, and the copy with it


def test_finitialize_without_setup_transfer_stops(model):
    folder, mods = model
    path = folder / "m.hoc"
    path.write_text(CELLS.replace("{ pc.setup_transfer() }", "") + "finitialize(-65)\n")
    with pytest.raises(HocError, match=r"setup_transfer\(\) needs to be called"):
        HocSession(mechanisms=mods, stdout=io.StringIO()).load_file(path)


@pytest.mark.parametrize("line, message", [
    ("pc.source_var(&cell_a.ena(0.5), 7)", "other than a segment's v"),
    ("pc.target_var(&cell_a.m_hh(0.5), 7)", "point process's RANGE variable"),
])
def test_other_sources_and_targets_refused(model, line, message):
    folder, mods = model
    path = folder / "m.hoc"
    path.write_text(CELLS + line + "\n")
    with pytest.raises(HocRefusal, match=message):
        HocSession(mechanisms=mods, stdout=io.StringIO()).load_file(path)


def test_target_without_source_stops(model):
    folder, mods = model
    path = folder / "m.hoc"
    path.write_text(CELLS + "pc.target_var(g[0], &g[0].G, 9)\npc.setup_transfer()\n")
    with pytest.raises(HocError, match="No source_var for target_var sgid = 9"):
        HocSession(mechanisms=mods, stdout=io.StringIO()).load_file(path)
