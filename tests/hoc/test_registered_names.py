"""Names NEURON registers before any HOC runs, against NEURON 9 (bridge.hoc.registered_names).

In HOC, assigning to an undeclared name makes a new variable only when NEURON's symbol table does not hold
the name already: a mechanism's variable (`vhalf_ugate`), an ion's (`xxo0_xx_ion`, `dixx_dv_`) or a built-in
one. bridge resolves such names or refuses them; it never takes them for new variables (ModelDB 121060 ran
with Cao = 1 mM when `Cao0_Ca_ion` became a plain variable). Our own .mod files (tests/hoc/data/
registered_names): a density channel with RANGE and GLOBAL PARAMETERs and ASSIGNEDs, and a point process that
is the only user of ion xx. Printed values to 1e-9, the recorded traces to 1e-9 mV.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bridge.errors import HocRefusal
from bridge.hoc.registered_names import NEURON_RANGE, NEURON_SCALARS
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MOD = Path(__file__).resolve().parent / "data" / "registered_names"

MODEL = """
load_file("stdrun.hoc")
vhalf_ugate = -50        // a GLOBAL of a mechanism no section has yet
xxo0_xx_ion = 20         // the global of an ion only a point process uses, before the point process exists
xxi0_xx_ion = 4
foo_ugate = 7            // no variable foo in ugate: a new HOC variable, in NEURON too
bogus_nomech = 3         // no mechanism nomech: a new variable
tau_uxpp = 4             // a point process's RANGE names are the object's: tau_uxpp is a new variable
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert pas  e_pas = -65  insert ugate }
dend { L = 100  diam = 2  nseg = 3  insert pas  e_pas = -65 }
slope_ugate = 4          // a GLOBAL after insert
tau_ugate = 2            // a PARAMETER neither RANGE nor GLOBAL is a GLOBAL
objref pp, stim, vs, vd, tv
soma pp = new uxpp(0.5)
gmax_uxpp = 0.02         // a point process's GLOBAL
dend stim = new IClamp(1)
stim.del = 1
stim.dur = 4
stim.amp = 0.2
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.5))
tv = new Vector()
tv.record(&t)
tstop = 10
finitialize(-65)
printf("globals %.17g %.17g %.17g %.17g %.17g\\n", vhalf_ugate, slope_ugate, tau_ugate, gmax_uxpp, xxo0_xx_ion)
printf("plain %g %g %g\\n", foo_ugate, bogus_nomech, tau_uxpp)
printf("ion %.17g %.17g m %.17g\\n", soma.xxo(0.5), soma.xxi(0.5), soma.m_ugate(0.5))
run()
printf("end %.17g %.17g %.17g\\n", soma.v(0.5), soma.m_ugate(0.5), pp.i)
"""


@pytest.mark.neuron
def test_mechanism_and_ion_globals_and_new_names_match_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, MODEL, ("vs", "vd", "tv"), mod_dir=MOD)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert "globals -50 4 2 0.02 20" in theirs, theirs
    assert "plain 7 3 4" in theirs, theirs
    assert any(ln.startswith("ion 20 4 ") for ln in theirs), theirs  # finitialize set xxo from xxo0_xx_ion


_LIST_NEURON = r"""
from neuron import h
scalars, ranges = [], []
for n in dir(h):
    if n.startswith("__"):
        continue
    try:
        v = getattr(h, n)
    except TypeError as err:
        if "range variable" in str(err):
            ranges.append(n)
        continue
    if isinstance(v, (float, int)) and not isinstance(v, bool):
        scalars.append(n)
print(" ".join(scalars))
print(" ".join(ranges))
"""


@pytest.mark.neuron
def test_the_list_of_neuron_builtin_variables_is_neurons():
    proc = subprocess.run([sys.executable, "-c", _LIST_NEURON], capture_output=True, text=True, timeout=300)
    lines = proc.stdout.splitlines()
    assert len(lines) >= 2, proc.stderr[-2000:]
    assert set(lines[-2].split()) == NEURON_SCALARS
    assert set(lines[-1].split()) == NEURON_RANGE


_DECLARED_NEURON = r"""
import sys
from neuron import h
h.nrn_load_dll(sys.argv[1])
for name in sys.argv[2:]:
    print(name, h.name_declared(name))
"""


def _declared_in_neuron(names: list[str]) -> dict[str, float]:
    """NEURON's name_declared(name) with our mechanisms loaded: 0 when NEURON holds no such name."""
    from validation.neuron_run import compile_mod_files

    library = str(compile_mod_files(sorted(MOD.glob("*.mod"))))
    proc = subprocess.run([sys.executable, "-c", _DECLARED_NEURON, library, *names], capture_output=True,
                          text=True, timeout=300)
    found = {ln.split()[0]: float(ln.split()[1]) for ln in proc.stdout.splitlines()
             if len(ln.split()) == 2 and ln.split()[0] in names}
    assert set(found) == set(names), proc.stdout + proc.stderr[-2000:]
    return found


REFUSED = [("nrn_netrec_state_adjust = 1", "nrn_netrec_state_adjust"), ("dixx_dv_ = 1", "dixx_dv_"),
           ("x = hoc_cross_x_", "hoc_cross_x_"), ("e_fastpas = -70", "e_fastpas"), ("rates_ugate = 1", "rates_ugate")]


@pytest.mark.neuron
def test_names_neuron_registers_and_bridge_does_not_resolve_are_refused():
    """NEURON holds each of these names before any HOC runs; bridge does not implement them, so HOC may not
    make them new variables."""
    declared = _declared_in_neuron([name for _, name in REFUSED])
    for statement, name in REFUSED:
        assert declared[name] != 0, name
        with pytest.raises(HocRefusal, match=name):
            HocSession(MOD)(statement)


def test_the_refusal_names_the_file_and_line(tmp_path):
    path = tmp_path / "model.hoc"
    path.write_text("x = 1\ndixx_dv_ = 2\n")
    with pytest.raises(HocRefusal, match=r"model.hoc:2:1: .*dixx_dv_ is a variable of NEURON's ion xx"):
        HocSession(MOD).load_file(path)


def test_a_mechanism_variable_bridge_missed_is_refused_not_made_a_new_variable(monkeypatch):
    """The safety net: were the catalog to miss a GLOBAL (the 121060 kind of gap), the assignment is refused."""
    from bridge.hoc.catalog import Catalog

    real = Catalog.lookup_global
    monkeypatch.setattr(Catalog, "lookup_global",
                        lambda self, name: None if name == "vhalf_ugate" else real(self, name))
    session = HocSession(MOD)
    with pytest.raises(HocRefusal, match=r"vhalf_ugate is a GLOBAL of mechanism ugate"):
        session("vhalf_ugate = -50")


NEW = {"foo_ugate": 7, "bogus_nomech": 3, "tau_uxpp": 4, "emin": 1, "iter": 2, "states_ugate": 5}


@pytest.mark.neuron
def test_names_neuron_does_not_hold_stay_new_variables():
    """NEURON's name_declared is 0 for each (a DERIVATIVE block is no HOC name): new variables in both."""
    assert not any(_declared_in_neuron(list(NEW)).values())
    session = HocSession(MOD)
    for name, value in NEW.items():
        session(f"{name} = {value}")
    assert {name: getattr(session, name) for name in NEW} == NEW
