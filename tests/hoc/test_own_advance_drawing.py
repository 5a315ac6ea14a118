"""A model's own `proc advance()` that only steps and draws (ModelDB 116983: `fadvance() g.plot(t) g.flush()
doNotify()`) runs continuerun in one piece (bridge.hoc.own_step.only_steps); any other statement in it keeps
the step-by-step run. Traces and printed lines against NEURON 9.0.2 on our own HOC."""

from __future__ import annotations

import io

import pytest

from bridge import HocSession
from bridge.hoc import own_step
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

pytestmark = pytest.mark.neuron

MODEL = """
load_file("stdrun.hoc")
create soma, dend
access soma
soma { L = 20  diam = 20  nseg = 1  insert hh }
dend { L = 200  diam = 2  nseg = 5  insert pas  g_pas = 1e-4  e_pas = -65 }
connect dend(0), soma(1)
forall Ra = 100
objref stim, g, vs, tv
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 3
stim.amp = 0.3
vs = new Vector()
vs.record(&dend.v(0.7))
tv = new Vector()
tv.record(&t)
g = GRAPH
g.size(0, 10, -80, 40)
n = 0
proc advance() {
    BODY
}
tstop = 10
run()
print n, t, soma.v(0.5)
continuerun(13)
print n, t, dend.v(0.5)
"""

CASES = {  # (the graph, advance()'s body, whether continuerun runs in one piece)
    "drawing": ("new Graph()", "fadvance()\n    g.plot(t)\n    g.flush()\n    doNotify()", True),
    "counting": ("new Graph()", "fadvance()\n    g.plot(t)\n    n += 1", False),
    "no-graph": ("new Vector()", "fadvance()\n    g.plot(t)", False),
    "two-steps": ("new Graph()", "fadvance()\n    g.flush()\n    fadvance()", False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_advance_that_only_draws_runs_in_one_piece_as_in_neuron(tmp_path, case):
    graph, body, one_piece = CASES[case]
    text = MODEL.replace("GRAPH", graph).replace("BODY", body)
    theirs, ref, ours, vecs, hoc = _both(tmp_path, text, vectors=("vs", "tv"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert (own_step.only_steps(hoc._interp) is not None) == one_piece
    # the step-by-step run executes advance()'s statements at each of the 520 steps
    # the step-by-step run executes advance()'s statements at each of the 520 steps; stdrun's own advance() none
    base = tmp_path / "base.hoc"
    base.write_text(text.replace("proc advance() {\n    " + body + "\n}", ""))
    plain = HocSession(cwd=tmp_path, stdout=io.StringIO())
    plain.load_file(base)
    extra = hoc._interp.statements - plain._interp.statements
    assert (extra < 520) == one_piece, extra
