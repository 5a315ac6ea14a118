"""`make_mechanism` (ModelDB 9853's init.hoc, nrniv/hocmech.cpp) against NEURON 9.0.2: the call is accepted and
checked as NEURON checks it; a model that makes such a mechanism and does not insert it runs as NEURON does;
`insert` of it is refused by name (NEURON would call the template's procedures in every step)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import bridge
from bridge.errors import HocError, HocRefusal
from bridge.testing import assert_matches_neuron

TEMPLATE = """begintemplate HHInt
public qna
proc initial() { qna = 0 }
proc after_step() { qna += ina($1)*dt }
endtemplate HHInt
begintemplate Store
public w, u
double w[3]
proc init() { u = 1 }
endtemplate Store
"""

INSERTED = TEMPLATE + """make_mechanism("hhint", "HHInt")
create soma
soma insert hh
soma insert hhint
print "made"
"""

# as 9853's init.hoc and fig2.hoc: the mechanisms are made, the figure's cell never inserts them
NOT_INSERTED = TEMPLATE + """create soma, axon
connect axon(0), soma(1)
forall { nseg = 5 L = 500 diam = 50 insert hh }
r = make_mechanism("hhint", "HHInt")
r += make_mechanism("store", "Store", "w")
forall uninsert hhint   // as 9853's standard(): uninsert of a mechanism not inserted is a no-op
objref stim
soma stim = new IClamp(0.5)
{stim.del = 0.5 stim.dur = 0.2 stim.amp = 200 * r / 2}
secondorder = 1
tstop = 5
run()
"""


def _neuron(text: str, tmp_path) -> subprocess.CompletedProcess:
    hoc = tmp_path / "neuron.hoc"
    hoc.write_text(text)
    return subprocess.run([sys.executable, "-c", f"from neuron import h\nh.load_file({str(hoc)!r})"],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.neuron
@pytest.mark.parametrize("template", ["HHInt", "Store", "List"])  # NEURON takes a built-in class too
def test_insert_refused_where_neuron_runs_it(tmp_path, template):
    text = INSERTED.replace('"HHInt")', f'"{template}")')
    proc = _neuron(text, tmp_path)
    assert proc.returncode == 0 and "made" in proc.stdout, proc.stderr[-2000:]  # NEURON accepts: bridge must refuse
    hoc = tmp_path / "mm.hoc"
    hoc.write_text(text)
    why = "after_step\\(\\) in every time step" if template == "HHInt" else "per-segment objects"
    with pytest.raises(HocRefusal, match=f'insert hhint: .*make_mechanism\\("hhint", "{template}"\\).*{why}') as info:
        bridge.HocSession().load_file(hoc)
    assert "mm.hoc:14" in str(info.value) and "mm.hoc:11" in str(info.value)  # the insert and the make_mechanism


@pytest.mark.neuron
def test_made_but_not_inserted_matches_neuron(tmp_path):
    hoc = tmp_path / "model.hoc"
    hoc.write_text(NOT_INSERTED)
    result = assert_matches_neuron(hoc, {"default_steps": False}, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    v = np.asarray(result.neuron.values)[:, result.neuron.labels.index("axon(0.9).v")]
    assert v.max() > 0  # make_mechanism returned 1 in both: the stimulus fires the cell


@pytest.mark.neuron
@pytest.mark.parametrize("call, neuron_says", [
    ('make_mechanism("hh", "HHInt")', "hh already exists"),
    ('make_mechanism("hhint", "HHInt")\nmake_mechanism("hhint", "Store")', "hhint already exists"),
    ('make_mechanism("soma", "HHInt")', "soma already exists"),
    ('make_mechanism("hhint", "Nothing")', "Nothing not a template"),
    ('x = 1\nmake_mechanism("hhint", "x")', "x not a template"),
    ('make_mechanism("hhint", "HHInt", "qna x")', "x is not a public variable"),
    ('qna_hhint = 1\nmake_mechanism("hhint", "HHInt")', "qna_hhint already exists"),
])
def test_neuron_errors_kept(tmp_path, call, neuron_says):
    text = TEMPLATE + "create soma\n" + call + "\n"
    proc = _neuron(text, tmp_path)
    assert proc.returncode != 0 or neuron_says in proc.stderr, proc.stderr[-2000:]
    assert neuron_says in proc.stderr + proc.stdout
    hoc = tmp_path / "mm.hoc"
    hoc.write_text(text)
    with pytest.raises(HocError, match=neuron_says) as info:
        bridge.HocSession().load_file(hoc)
    assert not isinstance(info.value, HocRefusal)
