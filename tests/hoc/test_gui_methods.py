"""GUI-class methods that return values a model computes with, or change the model (bridge.hoc.gui_methods,
bridge.hoc.runfit): our own HOC run by NEURON 9.0.2 (batch, no display) and by bridge, printed values compared
exactly; the run after a RunFitter session file restores its parameters compared to 1e-9 mV; calls bridge does
not run are refused by name."""

from __future__ import annotations

import io
import textwrap

import pytest

from bridge.errors import HocRefusal
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

GUIMATH = """
objref gm
gm = new GUIMath()
{printf("d2line %.17g %.17g %.17g\\n", gm.d2line(1e-3, 2.5, -1, 0.3, 3, 1.7), gm.d2line(1, 2, 0, 0, 3, 1), \\
        gm.d2line(0.1, 0.2, 1, 1, 1, 1))}
{printf("d2line_seg %.17g %.17g %.17g %.17g\\n", gm.d2line_seg(-5, 2, 0, 0, 3, 1), \\
        gm.d2line_seg(1.5, 0.7, 0, 0, 3, 1), gm.d2line_seg(7.3, 0.1, 0, 0, 3, 1), gm.d2line_seg(0.3, 0.4, 0, 0, 0, 0))}
{printf("inside %g %g %g %g\\n", gm.inside(1, 1, 0, 0, 2, 2), gm.inside(3, 1, 0, 0, 2, 2), \\
        gm.inside(0.1, 0.5, 0.1, 0, 1, 1), gm.inside(1.00000001, 0.5, 0, 0, 1, 1))}
{printf("feround %g %g %g\\n", gm.feround(), gm.feround(0), gm.feround(2))}
x = 10 * gm.d2line_seg(0, 3, 0, 0, 4, 0)
{printf("x %.17g\\n", x)}
"""


@pytest.mark.neuron
def test_guimath_values_as_neuron():
    """GUIMath's pure functions (float Coord arithmetic, mymath.cpp): bridge returned 0.0 before."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        theirs, _, ours, _, _ = _both(Path(tmp), GUIMATH, ())
    _same_output(theirs, ours, atol=0.0)
    assert any(line.startswith("x 30") for line in theirs), theirs
    assert "inside 1 0 1 1" in theirs, theirs  # float32: 1.00000001 rounds to 1


OTHERS = """
objref d, tm, gr, lv
d = new Deck()
tm = new Timer("x = x + 1")
x = 0
{printf("deck %g %g\\n", d.flip_to(0), d.flip_to(1))}
gr = new Graph(0)
lv = new Vector(5)
{gr.addvar("x", "x", 1, 1, 0.8, 0.9, 2)}
{printf("lines %g %g\\n", gr.line_info(-1, lv), gr.line_info(0, lv))}
{printf("timer %g %g\\n", tm.seconds(0.25), tm.seconds())}
{tm.start()}
{load_file("stdrun.hoc")}
create soma
tstop = 5
run()
{printf("x %g\\n", x)}
"""


@pytest.mark.neuron
def test_deck_and_timer_values_as_batch_neuron(tmp_path):
    """Deck.flip_to and Graph.line_info (a line added: lib/hoc/lincir/lingraph.hoc's loop ends on it) return -1,
    Timer.seconds its interval; a Timer never fires in batch NEURON."""
    theirs, _, ours, _, _ = _both(tmp_path, OTHERS, ())
    _same_output(theirs, ours, atol=0.0)
    assert theirs == ["deck -1 -1", "lines -1 -1", "timer 0.25 0.25", "x 0"], theirs


CELL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  nseg = 3  insert hh }
objref obj, vec
vec = new Vector()
"""


@pytest.mark.parametrize("text, match", [
    ("obj = new GUIMath()\nobj.feround(1)\n", r"GUIMath.feround\(1\) changes the FPU rounding mode"),
    ("obj = new Graph(0)\nobj.getline(-1, vec, vec)\n", r"Graph.getline\(\): batch NEURON aborts"),
    ('obj = new RangeVarPlot("v")\nsoma obj.begin(0)\nsoma obj.end(1)\nobj.to_vector(vec)\n',
     r"RangeVarPlot.to_vector\(\)"),
    ("vec.resize(1)\nobj = new StateTransitionEvent(2)\nobj.transition(0, 1, &soma.v(0.5), &vec.x[0], \"x=1\")\n",
     r"StateTransitionEvent.transition\(\)"),
    ("obj = new Family(0)\nobj.frun()\n", r"Family.frun\(\)"),
])
def test_gui_calls_that_change_numbers_are_refused(tmp_path, text, match):
    """Calls whose result or effect bridge does not compute are refused with the file and line, not 0.0."""
    (tmp_path / "model.hoc").write_text(CELL + text)
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(HocRefusal, match=match) as err:
        hoc.load_file(tmp_path / "model.hoc")
    assert "model.hoc:" in str(err.value)


SES = """
objectvar save_window_, rvp_
objectvar ocbox_
//Begin RunFitter[0]
{
load_file("runfit.hoc")
}
{
ocbox_=new RunFitter()
runfit_master = ocbox_
}
{object_push(ocbox_)}
{
fitness_name = "RunFitness"
spec_parms("soma.gnabar_hh(0.5)", 0.1512345678901234, 0, 1, 1)
tolerance = 1e-05
spec_parms("stim.amp", 0.3456789012345678, 0, 1, 1)
tolerance = 1e-05
spec_parms("Gk", 0.04123456789, 0, 1, 1)
tolerance = 1e-05
init_weights(1)
normweight = 1
build_deck()
}
{object_pop()}
{
ocbox_.map("RunFitter[0]", 100, 100, 300, 300)
}
objref ocbox_
"""

MODEL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  nseg = 1  insert hh }
objref stim, vs, tv
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 5
stim.amp = 0.1
Gk = 0.036
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
tstop = 10
load_file("fit.ses")
soma.gkbar_hh = Gk
{printf("na %.17g amp %.17g Gk %.17g\\n", soma.gnabar_hh(0.5), stim.amp, Gk)}
run()
{printf("v %.17g\\n", soma.v(0.5))}
"""


@pytest.mark.neuron
def test_runfitter_session_parameters_are_assigned_as_neuron(tmp_path):
    """runfit.hoc spec_parms plays each value into its variable at load time (bridge ignored it before)."""
    (tmp_path / "fit.ses").write_text(textwrap.dedent(SES))
    theirs, ref, ours, vecs, _ = _both(tmp_path, MODEL, ("vs", "tv"))
    # runfit.hoc ckvar's execute1("...play(...)") prints the Vector it returns; bridge runs no ckvar
    theirs, ours = ([ln for ln in lines if ln.startswith(("na ", "v "))] for lines in (theirs, ours))
    assert len(theirs) == 2, theirs
    _same_output(theirs[:-1], ours[:-1], atol=0.0)
    _same_output(theirs[-1:], ours[-1:])
    assert any("na 0.15123456789012341 " in line for line in theirs), theirs
    _same_vectors(ref, vecs)


def test_runfitter_parameter_that_is_a_statement_is_refused(tmp_path):
    (tmp_path / "fit.ses").write_text(textwrap.dedent(SES).replace('"Gk"', '"Gk = 2 x"'))
    (tmp_path / "model.hoc").write_text(textwrap.dedent(MODEL))
    with pytest.raises(HocRefusal, match=r"fit.ses:19:1: .*spec_parms\('Gk = 2 x'\): not a variable"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")
