"""Attribute reads of GUI objects (`obj.name`, no parentheses; bridge.hoc.gui_reads): our own HOC run by
NEURON 9.0.2 (batch, no display) and by bridge, printed values compared exactly; reads whose value bridge
does not model are refused by name with file:line (they read 0.0 before)."""

from __future__ import annotations

import io

import pytest

from bridge.errors import HocError, HocRefusal
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import _both, _same_output

READS = """
objref g, b, h, d, pw, s
g = new Graph(0)
b = new VBox()
h = new HBox()
d = new Deck()
pw = new PWManager()
create soma
s = new Shape(0)
{printf("graph %g %g %g %g %g\\n", g.view_count, g.erase_all, g.size, g.line_info, g.exec_menu)}
{printf("box %g %g %g %g\\n", b.ismapped, b.map, h.ismapped, h.save)}
if (b.ismapped) { print "mapped" } else { print "not mapped" }
x = d.map
{printf("deck %g %g %g\\n", x, d.flip_to, d.unmap)}
{printf("pwm %g %g %g\\n", pw.count, pw.is_mapped, pw.leader)}
{printf("shape %g %g %g\\n", s.len_scale, s.push_selected, s.erase_all)}
{d.map  g.erase_all}
"""


@pytest.mark.neuron
def test_gui_reads_as_batch_neuron(tmp_path):
    """Reads of display-only methods call them with no arguments in NEURON; bridge gives the measured values."""
    theirs, _, ours, _, _ = _both(tmp_path, READS, ())
    _same_output(theirs, ours, atol=0.0)
    assert "box 0 1 0 1" in theirs and "deck 1 -1 0" in theirs, theirs  # not all 0: 0.0 was wrong


@pytest.mark.parametrize("text, match", [
    ("obj = new Graph(0)\nx = obj.foo\n", r"Graph.foo read without a call"),
    ("obj = new Graph(0)\nx = obj.getline\n", r"Graph.getline"),
    ("obj = new VBox()\nx = obj.intercept\n", r"VBox.intercept read without a call"),  # needs an argument
    ("obj = new RunFitter(0)\nx = obj.tstop\n", r"RunFitter.tstop read without a call"),
    ('obj = new RangeVarPlot("v")\nx = obj.left\n', r"RangeVarPlot.left\(\)"),
])
def test_gui_reads_not_modelled_are_refused(tmp_path, text, match):
    """A read whose value bridge does not know is refused with the file and line, not 0.0."""
    (tmp_path / "model.hoc").write_text("create soma\naccess soma\nobjref obj\n" + text)
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(HocRefusal, match=match) as err:
        hoc.load_file(tmp_path / "model.hoc")
    assert "model.hoc:" in str(err.value)


def test_gui_writes_stay_accepted(tmp_path):
    """Session files assign GUI objects' members (no model value changes): accepted as before."""
    (tmp_path / "model.hoc").write_text("objref obj\nobj = new Graph(0)\nobj.foo = 3\n")
    HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")


def test_session_stand_in_reads_are_objects_not_numbers(tmp_path):
    """A session file's made-up tool name (`opt`) read for a member gives a stand-in object (for
    object_push), and using it as a number is an error, never 0.0."""
    (tmp_path / "a.ses").write_text("{object_push(opt.optimizer)}\n{object_pop()}\n")
    HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "a.ses")
    (tmp_path / "b.ses").write_text("x = 1 + opt.optimizer\n")
    with pytest.raises(HocError, match="a number was expected"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "b.ses")
