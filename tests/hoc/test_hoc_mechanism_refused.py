"""`make_mechanism` (9853's init.hoc): NEURON runs a HOC template as a mechanism; bridge refuses it by name."""

from __future__ import annotations

import subprocess
import sys

import pytest

import bridge
from bridge.errors import HocRefusal

HOC = """begintemplate HHInt
public qna
proc initial() { qna = 0 }
proc after_step() { qna += 1 }
endtemplate HHInt
make_mechanism("hhint", "HHInt")
create soma
soma insert hhint
print "made"
"""


@pytest.mark.neuron
def test_make_mechanism_refused_where_neuron_runs_it(tmp_path):
    hoc = tmp_path / "mm.hoc"
    hoc.write_text(HOC)
    proc = subprocess.run([sys.executable, "-c", f"from neuron import h\nh.load_file({str(hoc)!r})"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "made" in proc.stdout, proc.stderr[-2000:]  # NEURON accepts: bridge must refuse
    with pytest.raises(HocRefusal, match=r"make_mechanism\(\) is not supported") as info:
        bridge.HocSession().load_file(hoc)
    assert "mm.hoc:6" in str(info.value)
