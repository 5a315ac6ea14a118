"""A `setpointer` changed between two runs: the second run reads the new target, as NEURON 9.0.2 does (the
live run's compiled step bakes the pointer's source in, so the source must be part of its structure key:
bridge/hoc/live.py `structure_key`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

GAP = Path(__file__).parents[1] / "validation" / "data" / "gap_pointer" / "mod" / "gap.mod"

MODEL = """
load_file("stdrun.hoc")
create a, b, c
forall { L = 20 diam = 20 insert pas g_pas = 1e-3 e_pas = -65 }
objref ga, sb, sc, vs, vd, tv
a ga = new Gap(0.5)
ga.g = 0.02
b sb = new IClamp(0.5)
sb.del = 1
sb.dur = 3
sb.amp = 0.5
c sc = new IClamp(0.5)
sc.del = 1
sc.dur = 3
sc.amp = -0.5
vs = new Vector()
vd = new Vector()
tv = new Vector()
tstop = 6
vs.record(&a.v(0.5))
vd.record(&c.v(0.5))
tv.record(&t)
setpointer ga.vgap, b.v(0.5)
run()
printf("first %.12f\\n", a.v(0.5))
setpointer ga.vgap, c.v(0.5)
run()
printf("second %.12f\\n", a.v(0.5))
"""


@pytest.mark.neuron
def test_a_pointer_retargeted_between_runs_reads_its_new_target(tmp_path):
    mod = tmp_path / "mod"
    mod.mkdir()
    shutil.copy(GAP, mod / "gap.mod")
    theirs, ref, ours, vecs, _ = _both(tmp_path, MODEL, mod_dir=mod)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
