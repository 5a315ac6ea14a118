"""A TABLE is rebuilt only when NEURON rebuilds it: when a DEPEND value changed since the last build.

nocmodl's `_check_<f>` keeps a static `_maktable` flag and `_sav_<d>` copies of the DEPEND values; a
GLOBAL the tabulated code reads but does not DEPEND on, changed from HOC between runs, leaves NEURON on
the table built with its old value (bridge.nmodl.runtime.table_memory, bridge.hoc.live_tables). Our own
.mod and HOC files, run by NEURON 9 and by bridge. Before the fix bridge rebuilt every table at each run
from the values then, and the stale-table cases differed by tens of mV.
"""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_vectors

# a potassium-like current whose rates PROCEDURE is tabulated; it DEPENDs on vhalf but also reads slope
TAB_MOD = """
NEURON {
    SUFFIX %(suffix)s
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL vhalf, slope
    %(threadsafe)s
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.03 (S/cm2) vhalf = -40 (mV) slope = 7 (mV) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf tau (ms) }
STATE { n }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*n*(v - ek)
}
INITIAL { rates(v) n = ninf }
DERIVATIVE states { rates(v) n' = (ninf - n)/tau }
PROCEDURE rates(v (mV)) {
    TABLE ninf, tau DEPEND vhalf FROM -100 TO 100 WITH 200
    ninf = 1/(1 + exp(-(v - vhalf)/slope))
    tau = 1 + 4/(exp((v - vhalf)/20) + exp(-(v - vhalf)/25))
}
"""

CELL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh  insert %(suffix)s  gkbar_hh = 0.01 }
objref stim, vs, tv, v1, v2
soma stim = new IClamp(0.5)
stim.del = 0.5
stim.dur = 20
stim.amp = 0.25
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
tstop = 15
"""


def _mod(tmp_path, threadsafe: bool):
    suffix = "tabs" if threadsafe else "tabn"
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / f"{suffix}.mod").write_text(TAB_MOD % {"suffix": suffix, "threadsafe": "THREADSAFE" if threadsafe else ""})
    return mod, suffix


def _run(tmp_path, threadsafe: bool, protocol: str, vectors=("vs", "tv")):
    mod, suffix = _mod(tmp_path, threadsafe)
    text = (CELL % {"suffix": suffix}) + protocol.replace("SUF", suffix)
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors, mod_dir=mod)
    return _same_vectors(ref, vecs)


@pytest.mark.neuron
@pytest.mark.parametrize("threadsafe", [True, False], ids=["threadsafe", "not-threadsafe"])
def test_global_outside_depend_changed_between_runs_keeps_the_table(tmp_path, threadsafe):
    """slope changed between runs, vhalf not: NEURON's second run looks up the table built with slope 7."""
    _run(tmp_path, threadsafe, """
run()
v1 = vs.c
slope_SUF = 2.5
run()
""", ("vs", "tv", "v1"))


@pytest.mark.neuron
def test_unread_run_still_builds_the_table(tmp_path):
    """The first run is never read by HOC (bridge does not simulate it), yet NEURON built its table there."""
    _run(tmp_path, True, """
run()
slope_SUF = 2.5
run()
""")


@pytest.mark.neuron
def test_depend_change_rebuilds_with_every_value_now(tmp_path):
    """A later DEPEND change rebuilds the table, with the slope HOC set two runs before."""
    _run(tmp_path, False, """
run()
slope_SUF = 2.5
run()
v1 = vs.c
vhalf_SUF = -35
run()
""", ("vs", "tv", "v1"))


@pytest.mark.neuron
def test_usetable_switched_off_and_on(tmp_path):
    """usetable 0 computes directly and checks nothing: switched on again the old table is used."""
    _run(tmp_path, True, """
run()
usetable_SUF = 0
slope_SUF = 2.5
run()
v1 = vs.c
usetable_SUF = 1
run()
""", ("vs", "tv", "v1"))


@pytest.mark.neuron
def test_first_build_after_usetable_was_off(tmp_path):
    """A table never built (usetable 0 from the start) is built at the first check with usetable 1 (a guard:
    right before the fix too)."""
    _run(tmp_path, True, """
usetable_SUF = 0
run()
v1 = vs.c
slope_SUF = 2.5
usetable_SUF = 1
run()
""", ("vs", "tv", "v1"))


@pytest.mark.neuron
def test_hoc_call_builds_the_table(tmp_path):
    """A HOC call of the tabulated PROCEDURE before any run builds the table (nocmodl's `_hoc_rates` checks
    it): the run after slope changed back uses it. (Not THREADSAFE: NEURON 9 crashes on such a call before
    finitialize() in a THREADSAFE file; the values it assigns are not HOC-visible here.)"""
    mod, suffix = _mod(tmp_path, False)
    text = (CELL % {"suffix": suffix}) + """
soma setdata_tabn(0.5)
slope_tabn = 2.5
x = rates_tabn(-47.3)
slope_tabn = 7
run()
"""
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, ("vs", "tv"), mod_dir=mod)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_played_global_outside_depend_never_rebuilds(tmp_path):
    """slope played during the run: no DEPEND changes, so NEURON keeps the table of finitialize (bridge's
    per-step check used to rebuild it each step)."""
    _run(tmp_path, True, """
objref tc, sl
tc = new Vector(3)
sl = new Vector(3)
tc.x[1] = 4
tc.x[2] = 8
sl.x[0] = 7
sl.x[1] = 2.5
sl.x[2] = 12
sl.play(&slope_SUF, tc)
run()
""")


@pytest.mark.neuron
def test_played_depend_rebuilds_with_the_global_set_between_runs(tmp_path):
    """vhalf played (a rebuild where it changes), slope set between runs: the rebuilds in the second run use
    the new slope, its first steps the table of the first run's end."""
    _run(tmp_path, True, """
objref tc, vh
tc = new Vector(3)
vh = new Vector(3)
tc.x[1] = 4
tc.x[2] = 8
vh.x[0] = -40
vh.x[1] = -30
vh.x[2] = -40
vh.play(&vhalf_SUF, tc)
run()
v1 = vs.c
slope_SUF = 2.5
run()
""", ("vs", "tv", "v1"))


@pytest.mark.neuron
def test_load_hoc_simulate_runs_the_stale_table(tmp_path):
    """load_hoc(...).simulate() of a model whose last run nobody reads: a fresh `Simulation` would build the
    table afresh; the run NEURON made uses the one of the first run (the live run gives it)."""
    import numpy as np

    from bridge import load_hoc

    mod, suffix = _mod(tmp_path, True)
    text = (CELL % {"suffix": suffix}) + "run()\nslope_tabs = 2.5\nrun()\n"
    _, ref, _, _, _ = _both(tmp_path, text, ("vs",), mod_dir=mod)
    model = load_hoc(tmp_path / "model.hoc", mechanisms=mod)
    assert model.live_traces is not None
    got = np.asarray(model.simulate()["soma(0.5).v"])
    assert got.shape == ref["vs"].shape
    assert np.max(np.abs(got - ref["vs"])) <= 1e-9


PRESET_DEPEND_MOD = """
NEURON { SUFFIX tabp GLOBAL q, tau }
PARAMETER { q10 = 3 }
ASSIGNED { v (mV) tau q }
INITIAL { q = q10^((celsius - 6.3)/10) rates(v) }
PROCEDURE rates(v (mV)) {
    TABLE tau DEPEND q FROM -100 TO 100 WITH 200
    tau = q/(1 + exp(v/10))
}
"""


def test_depend_on_a_global_initial_assigns_first_is_refused(tmp_path):
    """A file that is not thread safe checks its TABLE at the call in INITIAL, after `q = ...`: NEURON
    compares that value with its saved copy; bridge checks before INITIAL: refused, naming q and the line."""
    from bridge.errors import UnsupportedFeature
    from bridge.nmodl.load import load_mod

    path = tmp_path / "tabp.mod"
    path.write_text(PRESET_DEPEND_MOD)
    with pytest.raises(UnsupportedFeature, match=r"DEPENDs on GLOBAL 'q'.*INITIAL") as err:
        load_mod(path)
    assert "tabp.mod:5" in str(err.value)
