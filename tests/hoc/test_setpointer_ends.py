"""`setpointer` to a range variable at x = 0 or 1, against NEURON 9.

NEURON resolves a pointer to a mechanism's or an ion's variable at sec(0) or sec(1) to the first or last segment
(cabcode.cpp `nrn_rangepointer` uses `node_exact`: the zero-area end nodes have no mechanisms), while `v` at an
end is the end node's. Published models connect pointers in `for (x)` loops that include both ends (ModelDB
222321). bridge refused a mechanism variable there and read an ion variable at the end node.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MOD = Path(__file__).resolve().parent / "data" / "pointer_ends"

HOC = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh }
dend { L = 100  diam = 2  nseg = 3  insert hh  insert naacc  insert ptrend }
setpointer dend.pa_ptrend(0.5), dend.nai(1)
setpointer dend.pb_ptrend(0.5), dend.m_hh(1)
setpointer dend.pa_ptrend(0.1), dend.nai(0)
setpointer dend.pb_ptrend(0.1), dend.h_hh(0)
setpointer dend.pa_ptrend(0.9), soma.nai(1)
setpointer dend.pb_ptrend(0.9), dend.v(1)
objref stim, vd, tv
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 3
stim.amp = 0.5
vd = new Vector()
vd.record(&dend.v(0.5))
tv = new Vector()
tv.record(&t)
tstop = 8
run()
{ printf("%.17g %.17g %.17g\\n", dend.nai(0.9), dend.v(0.5), dend.v(0.1)) }  // braces: printf's count unprinted
"""


@pytest.mark.neuron
def test_pointers_to_range_variables_at_the_ends_match_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, HOC, ("vd", "tv"), mod_dir=MOD)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
