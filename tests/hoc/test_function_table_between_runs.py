"""A FUNCTION_TABLE's storage changed between two runs: NEURON reads the table's Vector or array while it runs
(src/oc/functabl.cpp keeps a pointer to the storage), so the second run uses the new values. bridge's live run
must see the change (the fingerprint in bridge/hoc/runcheck.py includes the tables' values)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

FTK = Path(__file__).parents[1] / "validation" / "data" / "function_table" / "mod" / "ftk.mod"

MODEL = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh insert ftk }
objref tv, tx, gv, gx, stim, vs, vd, tv2
tv = new Vector()
tx = new Vector()
for i = 0, 12 { tx.append(-90 + i*i) tv.append(1 + 4*exp(-(i - 6)*(i - 6)/8)) }
double ninfv[31*5]
for i = 0, 30 for j = 0, 4 { ninfv[i*5 + j] = 1/(1 + exp(-(-100 + 5*i + 40 - j)/7)) }
table_taun_ftk(tv, tx)
table_ninf_ftk(&ninfv[0], 31, -100, 50, 5, 0, 40)
table_scale_ftk(0.8)
gv = new Vector()
gx = new Vector()
gv.append(0.5, 1, 1.5, 0.7)
gx.append(-75, -60, -20, 30)
table_gmod_ftk(&gv.x[0], 4, &gx.x[0])
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 10
stim.amp = 0.3
vs = new Vector()
vd = new Vector()
tv2 = new Vector()
vs.record(&soma.v(0.5))
vd.record(&soma.n_ftk(0.5))
tv2.record(&t)
tstop = 12
run()
printf("first %.12f\\n", soma.v(0.5))
gv.x[2] = 3
tv.x[6] = tv.x[6]*2
for i = 0, 30 { ninfv[i*5 + 1] = 0.5 }
run()
printf("second %.12f\\n", soma.v(0.5))
"""


@pytest.mark.neuron
def test_table_storage_changed_between_runs(tmp_path):
    mod = tmp_path / "mod"
    mod.mkdir()
    shutil.copy(FTK, mod / "ftk.mod")
    theirs, ref, ours, vecs, _ = _both(tmp_path, MODEL, vectors=("vs", "vd", "tv2"), mod_dir=mod)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
