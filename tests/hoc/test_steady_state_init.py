"""NEURON's custom initialization to a steady state (programmer's reference, finitialize: "custom
initialization"; ModelDB 139654's custominit.hoc): in the model's own `proc init()`, finitialize(), t far
negative, a huge dt, fadvance() until t reaches -1e9, dt back, t = 0, fcurrent(), frecord_init(). The big
steps are ordinary fixed steps with another dt (the same compiled step: dt is its argument); frecord_init() restarts the
recordings at t = 0. Our own HOC (hh soma, pas dendrite with e_pas away from rest), run by NEURON 9 and by
bridge: the values after the init and the whole run to 1e-9 mV, and `bridge validate` compares it."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh }
dend { L = 300  diam = 2  nseg = 7  insert pas  g_pas = 2e-4  e_pas = -50 }
objref stim, vs, vd, tv
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 3
stim.amp = 0.15
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.9))
tv = new Vector()
tv.record(&t)
"""

IDIOM = """
proc init() { local dtsav, temp
    finitialize(v_init)
    t = -1e10
    dtsav = dt
    dt = 1e9
    temp = cvode.active()
    if (temp != 0) { cvode.active(0) }
    while (t < -1e9) {
        fadvance()
    }
    if (temp != 0) { cvode.active(1) }
    dt = dtsav
    t = 0
    if (cvode.active()) {
        cvode.re_init()
    } else {
        fcurrent()
    }
    frecord_init()
}
"""


@pytest.mark.neuron
def test_steady_state_init_and_run_match_neuron(tmp_path):
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + IDIOM + """
        tstop = 10
        init()
        {printf("after init t %.17g v %.17g %.17g m %.17g ina %.17g size %d\\n", t, soma.v(0.5), dend.v(0.9), \\
               soma.m_hh(0.5), soma.ina(0.5), vs.size())}
        run()
        {printf("after run t %.17g v %.17g %.17g size %d first %.17g\\n", t, soma.v(0.5), dend.v(0.9), vs.size(), \\
               vs.x[0])}
    """)
    rows = [ln for ln in theirs if ln.startswith("after")]
    assert len(rows) == 2 and "size 1" in rows[0]  # frecord_init left one sample, at t = 0
    _same_output(theirs, ours)
    assert ref["tv"][0] == 0.0 and len(ref["tv"]) == 401
    assert abs(ref["vd"][0] - (-65.0)) > 1.0  # the steady state is not v_init: the big steps moved it
    _same_vectors(ref, vecs)
    assert hoc.live.compilations == 1  # the big steps and the run's steps: one compilation (dt is an argument)


@pytest.mark.neuron
def test_bridge_validate_compares_a_model_with_a_steady_state_init(tmp_path):
    """`bridge validate` runs the protocol run live from the state the model's init() left (it cannot be
    simulated again from finitialize()) and compares it with NEURON's."""
    from validation.case import Case, Protocol
    from validation.suite import run_case

    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(CELL + IDIOM + "tstop = 8\n"))
    result = run_case(Case("steady", hoc=path, protocol=Protocol()))  # the model's own tstop
    assert result.passed, (result.error, result.comparison and result.comparison.reasons)
    comp = result.comparison
    print(f"max |dV| {comp.max_dv:.3g} mV over {len(comp.recordings)} recordings")  # shown with pytest -s
    assert comp.max_dv <= 1e-9
    t = np.asarray(result.neuron.t)
    assert t[0] == 0.0 and len(t) == 321  # NEURON's recording restarts at frecord_init()
