"""dt is an argument of the live run's compiled finitialize, step and fcurrent (bridge.solver.stepper): a model
that settles with big steps in its own init() and then runs with small ones (ModelDB 144526's `proc init()`:
finitialize, fcurrent, dt = .5 and fadvance()s, dt back, new channel values, fcurrent, frecord_init), or that
changes dt between runs, compiles each once, and its numbers are NEURON's: cnexp's exp(dt*a), NEURON's cj = 1/dt
and a TABLE that DEPENDs on dt (rebuilt for each new dt, as nocmodl's `_check_<f>`) all see the dt of the step.

Our own HOC and our own channel in the style of Mainen's kv.mod (its gate's per-step factor 1 - exp(-dt*tadj/ntau)
tabulated), run by NEURON 9.0.2 and by a `HocSession`; a structure change (nseg) still compiles anew.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np
import pytest

from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import _both, _same_output, _same_vectors
from tests.hoc.test_table_instance_assigned import MOD as KV_MOD

# A K channel in the style of Mainen's kv.mod (our own file, shared with test_table_instance_assigned): the gate's
# per-step factor nexp = 1 - exp(-dt*tadj/ntau) is tabulated, so the TABLE depends on dt; tadj declared GLOBAL.
KVDT = KV_MOD % {"range": "", "global": ", tadj", "threadsafe": ""}

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh  insert kvdt }
dend { L = 300  diam = 2  nseg = 7  insert pas  g_pas = 2e-4  e_pas = -50  insert kvdt  gbar_kvdt = 0.005 }
objref stim, vs, vd, tv, all
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 3
stim.amp = 0.2
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.9))
tv = new Vector()
tv.record(&t)
all = new Vector()
dt = 0.0125
tstop = 8
proc init() { local savedt, i
    finitialize(v_init)
    fcurrent()
    savedt = dt
    dt = 0.5
    for i = 1, 40 fadvance()
    dt = savedt
    t = 0
    soma.gnabar_hh = 0.15
    gbar_kvdt = 0.03
    fcurrent()
    frecord_init()
}
proc go() {
    run()
    all.append(vs)
    all.append(vd)
    printf("%s t %.17g v %.17g %.17g n %.17g size %d\\n", $s1, t, soma.v(0.5), dend.v(0.9), soma.n_kvdt(0.5), \\
           vs.size())
}
"""

RUNS = """
go("first")
stim.amp = 0.3
go("amp")
dt = 0.025
go("dt")
soma.gkbar_hh = 0.03
fcurrent()
printf("fcurrent ik %.17g ina %.17g\\n", soma.ik(0.5), soma.ina(0.5))
go("gk")
"""


def _mod_dir(tmp_path: Path) -> Path:
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "kvdt.mod").write_text(textwrap.dedent(KVDT))
    return mod


@pytest.mark.neuron
def test_runs_that_change_dt_and_call_fcurrent_match_neuron_and_compile_once(tmp_path):
    """The settling init(), then runs with a new stimulus, a new dt (the TABLE of nexp rebuilt for it) and a new
    conductance read through fcurrent(): printed values and every run's recorded v to 1e-9 mV; the step, the
    finitialize and the fcurrent compiled once each."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + RUNS, vectors=("all", "tv"), mod_dir=_mod_dir(tmp_path))
    _same_output(theirs, ours)
    rows = [ln for ln in theirs if ln.split()[0] in ("first", "amp", "dt", "gk")]
    assert [ln.split()[-1] for ln in rows] == ["641", "641", "321", "321"]  # dt 0.0125, then 0.025
    assert len({ln.split()[4] for ln in rows}) == 4  # each change moved v
    assert len(ref["all"]) == 2 * (641 + 641 + 321 + 321)
    _same_vectors(ref, vecs)
    assert hoc.live.traced == {"initialize": 1, "advance": 1, "currents": 1}
    assert len(hoc.live.engines) == 1


def test_a_dt_change_compiles_nothing_and_a_structure_change_compiles_anew(tmp_path):
    """Counting traces (each is one XLA compilation): dt changed in init() and between runs, fcurrent(), a
    parameter changed: one trace of each function. nseg changed: a new structure, traced again."""
    hoc = HocSession(_mod_dir(tmp_path), cwd=tmp_path, stdout=io.StringIO())
    hoc(CELL + RUNS)
    assert hoc.live.traced == {"initialize": 1, "advance": 1, "currents": 1}
    assert hoc.live.compilations == 1
    hoc('dt = 0.0125\ngo("again")')
    assert hoc.live.traced == {"initialize": 1, "advance": 1, "currents": 1}
    hoc('dend.nseg = 9\ngo("nseg")')
    assert hoc.live.traced == {"initialize": 2, "advance": 2, "currents": 2}
    assert len(hoc.live.engines) == 2
    assert np.isfinite(hoc.all.data).all()
