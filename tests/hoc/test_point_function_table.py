"""A POINT_PROCESS's FUNCTION_TABLE filled through an instance (ModelDB 226401: `syn.table_t_table(&t_vec.x[0], n,
&g_vec.x[0])`): NEURON keeps one table per mechanism, so the last call through any instance gives every instance
its values. Compared with NEURON 9 running the same files (.mod written for this test)."""

from __future__ import annotations

import pytest

from bridge.errors import HocError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

FTSYN = """
NEURON { POINT_PROCESS ftsyn  RANGE gmax, e  NONSPECIFIC_CURRENT i }
PARAMETER { gmax = 0.02 (uS)  e = 0 (mV) }
ASSIGNED { v (mV)  i (nA) }
FUNCTION_TABLE gt(x (ms)) (1)
BREAKPOINT { i = gmax*gt(t)*(v - e) }
"""

RUNS = """
objref s1, s2, tv2, gv2
soma s1 = new ftsyn(0.5)
dend s2 = new ftsyn(0.2)
s2.gmax = 0.01
s1.table_gt(0.5)
double tt[4], gg[4]
for i = 0, 3 {
    tt[i] = i*1.25
    gg[i] = (i % 2) + 0.1*i
}
s2.table_gt(&gg[0], 4, &tt[0])
tstop = 5
run()
x = printf("end %.17g %.17g\\n", soma.v(0.5), dend.v(0.2))
"""


def _mods(tmp_path):
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "ftsyn.mod").write_text(FTSYN)
    return mods


@pytest.mark.neuron
def test_a_point_process_function_table_from_hoc_as_in_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + RUNS, mod_dir=_mods(tmp_path))
    print("\n".join(theirs))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_a_wrong_table_call_is_an_error(tmp_path):
    path = tmp_path / "m.hoc"
    path.write_text('create soma\nobjref s\nsoma s = new ftsyn(0.5)\ns.table_gt("x")\n')
    with pytest.raises(HocError, match=r"ftsyn.table_gt\(...\): bridge takes a constant, two Vectors or a pointer"):
        HocSession(_mods(tmp_path), cwd=tmp_path).load_file(path)
