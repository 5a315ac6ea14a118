"""`ion_style()` changed between two runs: NEURON's second run uses the new style (src/nrnoc/eion.cpp). The live
run's fingerprint (bridge/hoc/runcheck.py) must see the change, or the second run reuses the first one's model."""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MODEL = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref stim, vs, vd, tv
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 5
stim.amp = 0.2
vs = new Vector()
vd = new Vector()
tv = new Vector()
vs.record(&soma.v(0.5))
vd.record(&soma.ena(0.5))
tv.record(&t)
tstop = 8
run()
printf("first %.12f %.12f\\n", soma.v(0.5), soma.ena(0.5))
soma { ion_style("na_ion", 1, 2, 1, 1, 0) }
run()
printf("second %.12f %.12f\\n", soma.v(0.5), soma.ena(0.5))
"""


@pytest.mark.neuron
def test_ion_style_changed_between_runs(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, MODEL)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
