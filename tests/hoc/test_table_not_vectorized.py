"""TABLEs of a mechanism nocmodl does not vectorize, with dt changed after finitialize().

nocmodl clears `vectorize` for a file with VERBATIM and no THREADSAFE, or one that assigns a GLOBAL
(bridge.nmodl.analysis.vectorize; tests/nmodl/test_vectorize.py checks the rule against nocmodl). Such a file
registers no per-step TABLE check: `_check_<f>()` runs only inside `<f>()`, so a TABLE that only INITIAL uses
is checked (and rebuilt, with its side values) at finitialize only, never when a run goes on with a new dt.
A vectorized file's TABLE is checked at each step's start (fadvance.cpp `nrn_thread_table_check`).

Our .mod and HOC files, run by NEURON 9.0.2 and by bridge:
- a Mainen/ModelDB-144482-like calcium channel (`trates` tabulates minf, mexp DEPEND dt and sets mtau; only
  INITIAL calls it, `states()` computes its own) and an init() that settles with dt = 1 after finitialize(),
  then runs at dt = 0.025: NEURON never rebuilds the table during the run; bridge refused it (the rebuild
  would set mtau), and now runs it (max |dV| <= 1e-9 mV). Its vectorized twin (THREADSAFE) is still refused.
- a tabulated FUNCTION (DEPEND dt, reading the GLOBAL k that it does not DEPEND on) that only INITIAL calls:
  steps at dt = 0.1, then k changed and finitialize() at the first dt. Not vectorized, NEURON's check at that
  finitialize() sees the dt of its last build (nothing checked at the steps) and keeps the table built with
  the old k; bridge rebuilt it at the steps and then again with the new k (m at t = 0: 0.111, NEURON 0.0067). The
  vectorized twin rebuilds at the steps and at finitialize(): the new k.
"""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

PROC_MOD = """
NEURON {
    SUFFIX cas
    NONSPECIFIC_CURRENT i
    RANGE gbar, minf, mtau
    GLOBAL q10, temp %(global)s
    %(threadsafe)s
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { gbar = 0.002 (S/cm2) q10 = 2.3 temp = 23 (degC) erev = -20 (mV) vmin = -100 (mV) vmax = 100 (mV) }
ASSIGNED { v (mV) i (mA/cm2) minf mtau (ms) tadj dt (ms) celsius (degC) }
STATE { m }
LOCAL mexp
INITIAL {
    trates(v)
    m = minf
}
BREAKPOINT {
    SOLVE states
    i = gbar*m*m*(v - erev)
}
PROCEDURE states() {
    rates(v)
    mexp = 1 - exp(-dt*q10^((celsius - temp)/10)/mtau)
    m = m + mexp*(minf - m)
    %(verbatim)s
}
PROCEDURE trates(v (mV)) {
    TABLE minf, mexp DEPEND dt, celsius, temp FROM vmin TO vmax WITH 199
    rates(v)
    %(tadj)s
    mexp = 1 - exp(-dt*q10^((celsius - temp)/10)/mtau)
}
PROCEDURE rates(vm (mV)) { LOCAL a, b
    a = 0.055*(-27 - vm)/(exp((-27 - vm)/3.8) - 1)
    b = 0.94*exp((-75 - vm)/17)
    mtau = 1/(a + b)
    minf = a*mtau
}
"""

VERBATIM = "VERBATIM\n    return 0;\n    ENDVERBATIM"

PROC_CELL = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh  insert cas }
dend { L = 200  diam = 2  nseg = 3  insert pas  g_pas = 1e-4  e_pas = -65  insert cas  gbar_cas = 0.004 }
objref vs, vd, tv, stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 2
stim.amp = 0.3
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.8))
tv = new Vector()
tv.record(&t)
load_file("stdrun.hoc")
celsius = 30
v_init = -65
proc init() {
    finitialize(v_init)
    fcurrent()
    t = -20
    dt = 1
    while (t < 0) { fadvance() }
    dt = 0.025
}
tstop = 5
run()
forall for (x, 0) printf("%s(%g) m %.17g mtau %.17g v %.17g\\n", secname(), x, m_cas(x), mtau_cas(x), v(x))
"""


def _proc_mods(tmp_path, declared: str):
    mod = tmp_path / "mod"
    mod.mkdir()
    text = PROC_MOD % {
        "global": ", tadj" if declared == "global" else "",
        "threadsafe": "THREADSAFE" if declared == "threadsafe" else "",
        "tadj": "tadj = q10^((celsius - temp)/10)" if declared == "global" else "",
        "verbatim": VERBATIM if declared == "verbatim" else ""}
    (mod / "cas.mod").write_text(text)
    return mod


@pytest.mark.neuron
@pytest.mark.parametrize("declared", ["global", "verbatim"])
def test_init_only_table_not_rebuilt_after_dt_changes(tmp_path, declared):
    """Not vectorized (an assigned GLOBAL; a VERBATIM block): m, mtau and v of each segment after the run and
    the traces of the init() loop and the run match NEURON (max |dV| <= 1e-9 mV); before, bridge refused."""
    from bridge.nmodl.load import load_mod

    mods = _proc_mods(tmp_path, declared)
    assert load_mod(mods / "cas.mod").table_checks == (("init",),)
    theirs, ref, ours, vecs, _ = _both(tmp_path, PROC_CELL, ("vs", "vd", "tv"), mod_dir=mods)
    assert sum(" mtau " in ln for ln in theirs) == 4, theirs
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_init_only_table_of_a_vectorized_twin_still_refused(tmp_path):
    """THREADSAFE: NEURON checks the TABLE at each step, so the new dt rebuilds it during the run and gives the
    first instance a new mtau, which bridge applies at finitialize() only: refused, naming mtau and the file."""
    import io

    from bridge import HocSession
    from bridge.errors import BridgeError

    mods = _proc_mods(tmp_path, "threadsafe")
    (tmp_path / "model.hoc").write_text(PROC_CELL)
    hoc = HocSession(mods, cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(BridgeError, match=r"cas: a TABLE rebuilt during the run .* sets mtau .*cas\.mod"):
        hoc.load_file(tmp_path / "model.hoc")


FUNC_MOD = """
NEURON {
    SUFFIX fnv
    NONSPECIFIC_CURRENT i
    RANGE gbar
    GLOBAL k %(global)s
    %(threadsafe)s
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { gbar = 0.002 (S/cm2) k = 5 (mV) erev = -20 (mV) }
ASSIGNED { v (mV) i (mA/cm2) dt (ms) tadj }
STATE { m }
INITIAL {
    %(init)s
    m = minf(v)
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*(v - erev)
}
DERIVATIVE states { m' = (1/(1 + exp(-(v + 40)/5)) - m)/3 }
FUNCTION minf(v (mV)) {
    TABLE DEPEND dt FROM -100 TO 100 WITH 200
    minf = 1/(1 + exp(-(v + 40)/k))
}
%(verbatim)s
"""

FUNC_CELL = """
create soma
soma { L = 20  diam = 20  insert pas  g_pas = 1e-4  e_pas = -65  insert fnv }
objref vs, tv
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
load_file("stdrun.hoc")
finitialize(-65)
dt = 0.1
for i = 1, 10 { fadvance() }
k_fnv = 12
dt = 0.025
finitialize(-65)
printf("m0 %.17g\\n", soma.m_fnv(0.5))
continuerun(3)
printf("m %.17g v %.17g\\n", soma.m_fnv(0.5), soma.v(0.5))
"""


@pytest.mark.neuron
@pytest.mark.parametrize("declared", ["global", "verbatim", "threadsafe"])
def test_function_table_memory_after_steps_at_another_dt(tmp_path, declared):
    """m at t = 0 of the second finitialize(): the old k's table where NEURON does not vectorize (no check at
    the dt = 0.1 steps), the new k's in the vectorized twin; bridge matches each (max |dV| <= 1e-9 mV)."""
    import math

    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "fnv.mod").write_text(FUNC_MOD % {
        "global": ", tadj" if declared != "verbatim" else "",
        "threadsafe": "THREADSAFE" if declared == "threadsafe" else "",
        "init": "tadj = 1" if declared != "verbatim" else "",
        "verbatim": f"PROCEDURE unused() {{\n    {VERBATIM}\n}}" if declared == "verbatim" else ""})
    theirs, ref, ours, vecs, _ = _both(tmp_path, FUNC_CELL, ("vs", "tv"), mod_dir=mod)
    m0 = float(next(ln for ln in theirs if ln.startswith("m0 ")).split()[1])
    k = 12 if declared == "threadsafe" else 5  # the table NEURON's finitialize() uses
    assert abs(m0 - 1/(1 + math.exp(-(-65 + 40)/k))) < 1e-3, theirs
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


ASSIGNED_PARAMETER_MOD = """
NEURON {
    SUFFIX pre
    NONSPECIFIC_CURRENT i
    RANGE gbar
}
PARAMETER { gbar = 0.002 (S/cm2) k = 5 (mV) erev = -20 (mV) }
ASSIGNED { v (mV) i (mA/cm2) dt (ms) }
STATE { m }
INITIAL {
    k = 12
    m = minf(v)
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*(v - erev)
}
DERIVATIVE states { m' = (1/(1 + exp(-(v + 40)/5)) - m)/3 }
FUNCTION minf(v (mV)) {
    TABLE DEPEND dt FROM -100 TO 100 WITH 200
    minf = 1/(1 + exp(-(v + 40)/k))
}
"""

ASSIGNED_PARAMETER_CELL = """
create soma
soma { L = 20  diam = 20  insert pas  g_pas = 1e-4  e_pas = -65  insert pre }
objref vs
vs = new Vector()
vs.record(&soma.v(0.5))
finitialize(-65)
printf("m0 %.17g\\n", soma.m_pre(0.5))
dt = 0.05
finitialize(-65)
printf("m1 %.17g\\n", soma.m_pre(0.5))
"""


@pytest.mark.neuron
def test_vectorized_table_reading_an_assigned_parameter_is_refused(tmp_path):
    """A vectorized file (no GLOBAL statement: the PARAMETER k is GLOBAL by default) whose INITIAL assigns k
    before the tabulated FUNCTION reads it: NEURON keeps k per thread from 0 and builds the table before INITIAL
    (m0 ~ 1e-304, k = 0; after a dt change the rebuild sees the 12 the last INITIAL left: m1 = 0.111), neither
    bridge's default (5) nor INITIAL's value: refused, naming k and the file."""
    import subprocess
    import sys

    from bridge.errors import UnsupportedFeature
    from bridge.nmodl.load import load_mod
    from tests.hoc.test_live_run import _NEURON
    from validation.neuron_run import compile_mod_files

    mod = tmp_path / "pre.mod"
    mod.write_text(ASSIGNED_PARAMETER_MOD)
    (tmp_path / "model.hoc").write_text(ASSIGNED_PARAMETER_CELL)
    library = str(compile_mod_files([mod]))
    proc = subprocess.run([sys.executable, "-c", _NEURON, str(tmp_path / "model.hoc"), library, "vs"],
                          capture_output=True, text=True, timeout=300)
    values = {ln.split()[0]: float(ln.split()[1]) for ln in proc.stdout.splitlines() if ln.startswith("m")}
    assert values["m0"] < 1e-300 and abs(values["m1"] - 0.1107273) < 1e-6, proc.stdout
    with pytest.raises(UnsupportedFeature, match=r"GLOBAL 'k' is read by a TABLE .* vectorizes") as err:
        load_mod(mod)
    assert "pre.mod:20" in str(err.value)
