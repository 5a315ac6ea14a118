"""`List("Name")` (bridge.hoc.lists.instances_of): every object of a template, built-in class or point
process that exists, kept up to date as objects are made (and, for built-in objects, dropped), as NEURON 9
prints it for our own HOC file."""

from __future__ import annotations

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import _both, _same_output

TEXT = """
begintemplate C
public x
proc init() { x = $1 }
endtemplate C
objref a, b, l, lv, v1, v2, ls, s1, s2, o
a = new C(1)
l = new List("C")
print l.count()
b = new C(2)
print l.count(), l.object(1).x, l.index(b), l.o(0).x
for i = 0, l.count() - 1 print l.object(i)
create soma
access soma
v1 = new Vector(3)
lv = new List("Vector")
print lv.count()
v2 = new Vector(4)
print lv.count(), lv.object(lv.count() - 1).size
v1 = new Vector(5)
print lv.count(), lv.object(0).size, lv.object(1).size
s1 = new IClamp(0.5)
ls = new List("IClamp")
s2 = new IClamp(0.3)
s2.amp = 0.25
print ls.count(), ls.object(1).amp
"""


@pytest.mark.neuron
def test_list_of_a_template_matches_neuron(tmp_path):
    theirs, _, ours, _, _ = _both(tmp_path, TEXT, vectors=())
    _same_output(theirs, ours, atol=0.0)
    assert "2 2 1 1 " in theirs and "2 4 5 " in theirs  # grew with C[1]; the dropped Vector(3) left


@pytest.mark.parametrize("text, message", [
    ('objref l\nl = new List("Nope")\n', "Nope is not a template name"),
    ('begintemplate C\nendtemplate C\nobjref l\nl = new List("C")\nl.append(l)\n', "List.append"),
    ('begintemplate C\nendtemplate C\nobjref l\nl = new List("C")\nl.remove_all()\n', "List.remove_all"),
])
def test_what_bridge_does_not_reproduce_is_refused(tmp_path, text, message):
    path = tmp_path / "m.hoc"
    path.write_text(text)
    with pytest.raises(BridgeError, match=message):
        HocSession(cwd=tmp_path).load_file(path)
