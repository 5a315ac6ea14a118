"""A POINTER aimed at a segment's diam (`setpointer soma.dp_dleak(x), psoma.diam(x)`, ModelDB 222321), against
NEURON 9: the mechanism reads the diam of the segment at x (0 and 1 included: the first and last segment, as
NEURON's `psoma.diam(0)` is), a constant of the run; diam changed by HOC between runs is read by the next run.
Our own leak whose conductance scales with the diam it points at (tests/hoc/data/diam_pointer), the voltages
and the printed values to 1e-9."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MOD = Path(__file__).resolve().parent / "data" / "diam_pointer"

TEXT = """
load_file("stdrun.hoc")
create soma, psoma
connect psoma(0), soma(1)
soma { L = 20  nseg = 3  insert dleak  insert pas  g_pas = 1e-4  e_pas = -70 }
psoma { L = 30  nseg = 3  diam = 10  insert pas }
psoma.diam(0.1) = 4
psoma.diam(0.9) = 16
soma for (x) {
    setpointer soma.dp_dleak(x), psoma.diam(x)
}
objref vs, vp, tv
vs = new Vector()
vs.record(&soma.v(0.5))
vp = new Vector()
vp.record(&soma.v(0.9))
tv = new Vector()
tv.record(&t)
tstop = 20
v_init = -65
run()
soma for (x) printf("%g %.17g %.17g %.17g\\n", x, dseen_dleak(x), psoma.diam(x), v(x))
psoma.diam(0.9) = 30
run()
soma for (x) printf("%g %.17g %.17g %.17g\\n", x, dseen_dleak(x), psoma.diam(x), v(x))
"""


@pytest.mark.neuron
def test_a_pointer_to_diam_reads_the_segments_diam_as_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, TEXT, ("vs", "vp", "tv"), mod_dir=MOD)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert any(line.startswith("1 16 16 ") for line in theirs) and any(line.startswith("1 30 30 ") for line in theirs)
