"""An ion whose name is not lower case (`USEION Ca ... VALENCE 2`), against NEURON 9.

NEURON registers every ion of the compiled mechanisms before any HOC runs (eion.cpp `ion_reg`), so
`Cao0_Ca_ion = 5` set before any `insert` is the ion's global, and `Cai`, `Cao`, `eCa`, `iCa` are its range
variables; the case of the name is kept. ModelDB 121060 sets `Cao0_Ca_ion` this way; bridge took it for a
plain HOC variable and ran with Cao = 1 mM (81 mV off). Our own .mod files (tests/hoc/data/ion_case): a pool
writing Cai (so the ion resets both concentrations at finitialize), a GHK current reading Cai and Cao, an
ohmic current reading eCa; the traces, printed values and recorded Vectors to 1e-9.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.testing import assert_matches_neuron
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MOD = Path(__file__).resolve().parent / "data" / "ion_case"

CELL = """
load_file("stdrun.hoc")
Cao0_Ca_ion = 5
Cai0_Ca_ion = 3e-4
celsius = 30
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh  insert upool  insert ughk  pmax_ughk = 4e-4 }
dend { L = 200  diam = 2  nseg = 3  insert pas  g_pas = 1e-4  e_pas = -65  insert unernst }
objref stim
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 3
stim.amp = 0.4
tstop = 15
"""

PRINTS = """
objref vs, vc, vd, tv
vs = new Vector()
vs.record(&soma.v(0.5))
vc = new Vector()
vc.record(&soma.Cai(0.5))
vd = new Vector()
vd.record(&dend.v(0.5))
tv = new Vector()
tv.record(&t)
proc show() {
    printf("%s: Cao0 %.17g Cai0 %.17g\\n", $s1, Cao0_Ca_ion, Cai0_Ca_ion)
    printf("soma Cai %.17g Cao %.17g eCa %.17g iCa %.17g\\n", soma.Cai(0.5), soma.Cao(0.5), soma.eCa(0.5), \\
           soma.iCa(0.5))
    printf("dend Cai %.17g Cao %.17g eCa %.17g\\n", dend.Cai(0.5), dend.Cao(0.5), dend.eCa(0.5))
}
finitialize(-65)
show("finitialize")
run()
show("run")
"""


@pytest.mark.neuron
def test_global_of_an_upper_case_ion_set_before_insert_matches_neuron(tmp_path):
    """Only the traces: the wrong number of ModelDB 121060 (Cao0_Ca_ion ignored) shows in v."""
    path = tmp_path / "model.hoc"
    path.write_text(CELL)
    result = assert_matches_neuron(path, {"recordings": ["soma(0.5).v", "soma(0.5).Cai", "soma(0.5).m_ughk",
                                                         "dend(0.5).v"]}, mechanisms=MOD)
    print(f"max |dV| {result.comparison.max_dv:.3g} mV")  # shown with pytest -s


@pytest.mark.neuron
def test_range_variables_of_an_upper_case_ion_read_from_hoc_match_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + PRINTS, ("vs", "vc", "vd", "tv"), mod_dir=MOD)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    # the pool writes Cai, so finitialize() resets Cao from Cao0_Ca_ion = 5, not a new ion's default 1 mM
    assert any(line.startswith("soma Cai 0.0001 Cao 5 ") for line in theirs), theirs
    assert any(line.startswith("finitialize: Cao0 5 Cai0 0.00029999999999999997") for line in theirs), theirs


def test_ion_candidates_keep_the_case_of_the_name():
    from bridge.hoc.catalog import ion_candidates

    assert ion_candidates("eCa") == ["Ca"]
    assert ion_candidates("iCa") == ["Ca"]
    assert ion_candidates("Cai") == ["Ca"]
    assert ion_candidates("eki") == ["ki", "ek"]
    assert ion_candidates("Cao") == ["Ca"]
    assert ion_candidates("gnabar") == []
