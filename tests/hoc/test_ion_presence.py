"""Where NEURON's ions exist and what their HOC globals do, against NEURON 9.

- A point process that uses an ion the section lacks inserts the ion in the whole section (treeset.cpp
  `need_memb` with `nrn_pnt_sec_for_need_`, `mech_insert1`): `soma(0.5).cai` exists with the synapse at
  soma(0.9), before and after nseg changes (ModelDB 146565 records `l4[0].soma(0.5).cai`).
- `cai0_ca_ion`, `cao0_ca_ion`, ... (eion.cpp `ion_init`) set the concentrations at finitialize() on the nodes
  whose ion style resets them (a mechanism writes the concentration) and nowhere else; set on a model where no
  node has the ion they change nothing, and the model runs (ModelDB 150691's viewer: a bare soma).
Our own HOC and .mod files (tests/hoc/data/pp_ion), the printed values and recorded Vectors to 1e-9.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.testing import assert_matches_neuron
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MOD = Path(__file__).resolve().parent / "data" / "pp_ion"

CELL = """
load_file("stdrun.hoc")
cai0_ca_ion = 2e-4
cao0_ca_ion = 3
nai0_na_ion = 12
ki0_k_ion = 60
create soma, dend, axon
connect dend(0), soma(1)
connect axon(0), soma(0)
soma { L = 20  diam = 20  insert hh }
dend { L = 200  diam = 2  nseg = 3  insert pas  g_pas = 1e-4  e_pas = -65  insert capool  insert cachan }
axon { L = 100  diam = 1  nseg = 2  insert pas  g_pas = 1e-4  e_pas = -65  insert cachan }
objref syn, stim, vs, vc, vd, tv
soma syn = new cadrip(0.9)
syn.gmax = 0.05
soma nseg = 5
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 1
stim.amp = 0.3
vs = new Vector()
vs.record(&soma.v(0.5))
vc = new Vector()
vc.record(&soma.cai(0.5))
vd = new Vector()
vd.record(&dend.cai(0.5))
tv = new Vector()
tv.record(&t)
tstop = 10
func has() { local n
    n = 0
    forall if (ismembrane("ca_ion")) n += 1
    return n
}
proc show() {
    printf("%s: sections with ca_ion %d\\n", $s1, has())
    printf("soma cai %.17g %.17g %.17g eca %.17g %.17g\\n", soma.cai(0.1), soma.cai(0.5), soma.cai(0.9), \\
           soma.eca(0.5), soma.eca(0.9))
    printf("dend cai %.17g cao %.17g eca %.17g\\n", dend.cai(0.5), dend.cao(0.5), dend.eca(0.5))
    printf("axon cai %.17g cao %.17g eca %.17g\\n", axon.cai(0.5), axon.cao(0.5), axon.eca(0.5))
    printf("soma nai %.17g ki %.17g ena %.17g\\n", soma.nai(0.5), soma.ki(0.5), soma.ena(0.5))
}
show("built")
finitialize(-65)
show("finitialize")
run()
show("run")
"""
VECTORS = ("vs", "vc", "vd", "tv")


@pytest.mark.neuron
def test_point_process_ion_and_ion_globals_match_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL, VECTORS, mod_dir=MOD)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert any("sections with ca_ion 3" in line for line in theirs)  # soma by the synapse, dend, axon
    # dend's pool starts from cai0_ca_ion (cinit there); axon's calcium is not reset (no writer of cai)
    assert "dend cai 0.00020000000000000001 cao 3 eca 115.77976841707213" in theirs
    assert "axon cai 5.0000000000000002e-05 cao 2 eca 132.45793416370091" in theirs
    # soma had one node, which the synapse promoted (it reads cai: eca from Nernst at finitialize); nseg = 5
    # copied that node, so eca is the Nernst value at 0.5 too, not the default 132.46 mV
    assert ("soma cai 5.0000000000000002e-05 5.0000000000000002e-05 5.0000000000000002e-05 "
            "eca 127.58951061761749 127.58951061761749") in theirs
    assert ref["vc"][0] == pytest.approx(5e-5)  # soma(0.5) has the ion: its cai recorded


@pytest.mark.neuron
def test_bridge_validate_records_the_ion_a_point_process_put_in_its_section(tmp_path):
    path = tmp_path / "model.hoc"
    path.write_text(CELL.split("tstop = 10")[0] + "tstop = 10\n")
    result = assert_matches_neuron(path, {"recordings": ["soma(0.5).v", "soma(0.5).cai", "soma(0.1).cai",
                                                         "dend(0.5).cai"]}, mechanisms=MOD)
    print(f"max |dV| {result.comparison.max_dv:.3g} mV")  # shown with pytest -s


@pytest.mark.neuron
def test_ion_globals_on_a_model_without_the_ion_run_as_in_neuron(tmp_path):
    path = tmp_path / "model.hoc"
    path.write_text("""
load_file("stdrun.hoc")
create soma
access soma
soma { L = 20  diam = 20  insert pas  g_pas = 1e-4  e_pas = -60 }
cai0_ca_ion = 1e-7
cao0_ca_ion = 1.8
nai0_na_ion = 20
ko0_k_ion = 5.4
tstop = 20
""")
    result = assert_matches_neuron(path, mechanisms=MOD)
    print(f"max |dV| {result.comparison.max_dv:.3g} mV")


LEFT = """
load_file("stdrun.hoc")
create a, b
a { L = 20  diam = 20  nseg = 3  insert pas  insert cachan }
b { L = 20  diam = 20  nseg = 3  insert pas  insert cachan }
objref s1, s2
a s1 = new cadrip(0.5)
b s2 = new cadrip(0.5)
s1.loc(0.9)
objref s2
finitialize(-65)
printf("a eca %.17g %.17g %.17g\\n", a.eca(0.1), a.eca(0.5), a.eca(0.9))
printf("b eca %.17g %.17g %.17g\\n", b.eca(0.1), b.eca(0.5), b.eca(0.9))
"""


@pytest.mark.neuron
def test_the_node_a_point_process_leaves_keeps_its_ion_style_as_in_neuron(tmp_path):
    """cachan only reads eca (no Nernst of its own); the synapse read cai at a(0.5) and b(0.5), so those nodes
    compute eca at finitialize() after it moved away (loc) or was destroyed (eion.cpp nrn_promote on the node)."""
    theirs, _, ours, _, _ = _both(tmp_path, LEFT, (), mod_dir=MOD)
    _same_output(theirs, ours)
    assert "a eca 132.45793416370091 127.58951061761749 127.58951061761749" in theirs
    assert "b eca 132.45793416370091 127.58951061761749 132.45793416370091" in theirs
