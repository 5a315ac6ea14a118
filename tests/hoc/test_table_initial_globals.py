"""A TABLE whose code reads a GLOBAL that INITIAL assigns before the first tabulated call.

A mechanism that assigns a GLOBAL (no THREADSAFE) is not thread safe, and nocmodl then checks
the table inside each call of the tabulated PROCEDURE/FUNCTION (its generated `settables(v)` starts
with `_check_settables()`), not in `nrn_finitialize` before INITIAL: the first build sees what
INITIAL assigned before the call (ModelDB 114685's HVA.mod: `rate_k = 2.49` then `settables(v)`,
`qtau = .../rate_k`). Building from the GLOBAL's value at finitialize gave 0, an infinite qtau
and NaN at bridge's first step. Our .mod and HOC files, run by NEURON 9 and by bridge: two runs,
the second at another celsius (the table's DEPEND: rebuilt at the first call of the second INITIAL).
"""

from __future__ import annotations

import pytest

from bridge.errors import UnsupportedFeature
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MOD = """
NEURON {
    SUFFIX tabq
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL rate_k, q10, gmax_k
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.02 (S/cm2) q10 = 3 }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf tau (ms) rate_k gmax_k }
STATE { n }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gmax_k*gbar*n*n*(v - ek)
}
INITIAL {
    gmax_k = 1.5
    rate_k = %(rate_k)s
    rates(v)
    n = ninf
}
DERIVATIVE states { rates(v) n' = (ninf - n)/tau }
PROCEDURE rates(v (mV)) {
    TABLE ninf, tau DEPEND celsius FROM -100 TO 100 WITH 200
    ninf = 1/(1 + exp(-(v + 40)/7))
    tau = (1 + 4/(exp((v + 40)/20) + exp(-(v + 40)/25)))/rate_k
}
"""

CELL = """
create soma
soma { L = 20  diam = 20  insert hh  insert tabq  gkbar_hh = 0.01 }
objref stim, vs, tv
soma stim = new IClamp(0.5)
stim.del = 0.5
stim.dur = 20
stim.amp = 0.25
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
load_file("stdrun.hoc")
tstop = 15
proc show() {
    printf("v %.17g n %.17g ik %.17g\\n", soma.v(0.5), soma.n_tabq(0.5), soma.ik(0.5))
}
printf("before %.17g\\n", rate_k_tabq)
run()
show()
celsius = 16.3
run()
show()
"""


def _mod_dir(tmp_path, rate_k: str):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "tabq.mod").write_text(MOD % {"rate_k": rate_k})
    return mod


@pytest.mark.neuron
@pytest.mark.parametrize("rate_k", ["2.49", "q10^((celsius - 6.3)/10)"], ids=["constant", "celsius"])
def test_table_reads_global_set_in_initial(tmp_path, rate_k):
    """Two runs (the second at another celsius): printed values and the second run's traces."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL, ("vs", "tv"), mod_dir=_mod_dir(tmp_path, rate_k))
    assert not any("nan" in ln for ln in theirs), theirs
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_per_instance_value_before_the_table_is_refused(tmp_path):
    """INITIAL assigns the GLOBAL from v before the call: NEURON's table holds the first instance's
    value; bridge refuses, naming the GLOBAL and the line."""
    from bridge.nmodl.load import load_mod

    path = _mod_dir(tmp_path, "-v/30") / "tabq.mod"
    with pytest.raises(UnsupportedFeature, match=r"rate_k.*TABLE.*INITIAL") as err:
        load_mod(path)
    assert "tabq.mod:" in str(err.value)


HISTORY_MOD = """
NEURON { SUFFIX tabh GLOBAL rate_k, tau }
ASSIGNED { v (mV) tau rate_k }
INITIAL { rates(v) rate_k = 2.49 }
PROCEDURE rates(v (mV)) {
    TABLE tau DEPEND celsius FROM -100 TO 100 WITH 200
    tau = (1 + v/1000)/(1 + rate_k)
}
"""

HISTORY_HOC = """
create s
s insert tabh
proc one() {
    celsius = $1
    finitialize(-65)
    s setdata_tabh(0.5)
    s rates_tabh(-50)
    printf("celsius %g tau %.17g\\n", celsius, tau_tabh)
}
one(6.3)
one(6.3)
one(16.3)
"""


@pytest.mark.neuron
def test_neuron_rebuilds_with_the_value_the_last_run_left(tmp_path):
    """Why the refusal below: NEURON's first build sees rate_k = 0 (INITIAL assigns it after the call)
    and the rebuild after celsius changed sees the 2.49 the last run left."""
    import subprocess
    import sys

    from tests.hoc.test_live_run import _NEURON
    from validation.neuron_run import compile_mod_files

    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "tabh.mod").write_text(HISTORY_MOD)
    (tmp_path / "model.hoc").write_text(HISTORY_HOC)
    library = str(compile_mod_files([mod / "tabh.mod"]))
    proc = subprocess.run([sys.executable, "-c", _NEURON, str(tmp_path / "model.hoc"), library], capture_output=True,
                          text=True, timeout=300)
    taus = [float(ln.split()[-1]) for ln in proc.stdout.splitlines() if ln.startswith("celsius")]
    assert taus == [0.95, 0.95, 0.95 / 3.49], proc.stdout + proc.stderr[-2000:]


def test_global_assigned_after_the_first_use_is_refused(tmp_path):
    """INITIAL assigns the GLOBAL after the call (and BREAKPOINT reads it): NEURON's first build sees
    HOC's value and a rebuild after a celsius change the value the last run left; refused."""
    from bridge.nmodl.load import load_mod

    mod = _mod_dir(tmp_path, "2.49")
    path = mod / "tabq.mod"
    path.write_text(path.read_text().replace("    rate_k = 2.49\n    rates(v)\n", "    rates(v)\n    rate_k = 2.49\n"))
    with pytest.raises(UnsupportedFeature, match=r"GLOBAL 'rate_k' is read by a TABLE and assigned by a block other "
                       r"than INITIAL before") as err:
        load_mod(path)
    assert "tabq.mod:19:" in str(err.value)


def test_hoc_call_of_the_tabulated_procedure_is_refused(tmp_path):
    """`rates_tabq(v)` from HOC: NEURON builds the table at the first call ever (here before finitialize,
    with rate_k = 0) and keeps it; refused."""
    from bridge.errors import HocRefusal
    from bridge.hoc import HocSession

    mod = _mod_dir(tmp_path, "2.49")
    (tmp_path / "model.hoc").write_text("create soma\nsoma insert tabq\nsoma setdata_tabq(0.5)\nrates_tabq(-50)\n")
    with pytest.raises(HocRefusal, match=r"tabq from HOC: its TABLE reads the GLOBAL rate_k that INITIAL assigns"):
        HocSession(mod, cwd=tmp_path).load_file(tmp_path / "model.hoc")
