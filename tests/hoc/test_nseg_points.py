"""Point processes when nseg changes (bridge.hoc.nseg_points), against NEURON 9: each sits on a node, and
solve.cpp `node_realloc` moves it with its node (more segments) or to the first new segment whose far end is not
before its old node's centre (fewer). `get_loc()` after each change, and the voltages of a run with IClamps
moved so, to 1e-9 (ModelDB 146565: a synapse made at soma(0.9) of a one-segment soma, then `forall nseg = 9`)."""

from __future__ import annotations

import pytest

from bridge.hoc.nseg_points import node_moves
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

TEXT = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 30  diam = 20  insert hh }
dend { L = 400  diam = 2  insert pas  g_pas = 1e-4  e_pas = -65 }
objref st[6], vs, vd, tv
dend st[0] = new IClamp(0.9)
dend st[1] = new IClamp(0.1)
dend nseg = 7
dend st[2] = new IClamp(0.5)
dend st[3] = new IClamp(0.72)
dend st[4] = new IClamp(0.2)
soma st[5] = new IClamp(0.3)
proc show() { local i
    printf("%s:", $s1)
    for i = 0, 5 printf(" %.17g", st[i].get_loc())
    printf("\\n")
}
show("seven")
dend nseg = 3
show("three")
dend nseg = 2
show("two")
dend nseg = 9
show("nine")
soma nseg = 4
show("soma four")
for i = 0, 5 { st[i].del = 1 + i  st[i].dur = 0.5  st[i].amp = 0.2 + 0.1 * i }
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.5))
tv = new Vector()
tv.record(&t)
tstop = 12
run()
"""


@pytest.mark.neuron
def test_point_processes_move_with_their_nodes_as_in_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, TEXT, ("vs", "vd", "tv"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert any(line.startswith("seven: 0.5 0.5 ") for line in theirs)  # one segment: every point at 0.5


def test_node_moves_are_neurons_node_realloc():
    assert node_moves(1, 9) == [4]
    assert node_moves(3, 7) == [1, 3, 5]
    assert node_moves(7, 3) == [0, 0, 1, 1, 1, 2, 2]  # kept: 1, 3, 5; 3/14 <= 1/3, 9/14 <= 2/3
    assert node_moves(3, 2) == [0, 0, 1]  # old centre 0.5 is not past the first far end, 0.5
