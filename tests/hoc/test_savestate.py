"""NEURON's SaveState (bridge.hoc.savestate) against NEURON 9.0.2: an hh cell saved at 20 ms, run on,
restored (t goes back to 20 ms) and run again, then restored after a new finitialize() with the stimulus
changed; the recorded Vectors (which go on recording across restores, as in NEURON) must match to 1e-9 mV."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridge import HocSession
from bridge.errors import HocError, HocRefusal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from printed_vectors import printed_vectors  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
NAMES = [f"{v}{i}" for i in (1, 2, 3) for v in ("vs", "vd", "tv")] + ["t1", "t2", "m3"]


@pytest.mark.neuron
def test_save_and_restore_match_neuron(tmp_path):
    code = f"from neuron import h\nh.load_file('stdrun.hoc')\nh.load_file({str(DATA / 'savestate.hoc')!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    theirs = printed_vectors(proc.stdout, NAMES)
    out = io.StringIO()
    HocSession(cwd=tmp_path, stdout=out).load_file(DATA / "savestate.hoc")
    ours = printed_vectors(out.getvalue(), NAMES)
    assert set(theirs) == set(NAMES), proc.stderr[-2000:]
    assert len(theirs["vs2"]) == 2401 and abs(theirs["t2"][0] - 20.0) < 1e-9  # restore set t back; recording went on
    for name in NAMES:
        assert len(ours[name]) == len(theirs[name]), name
        atol = 0.0 if name.startswith("tv") else 1e-9  # time exactly, v and states to 1e-9
        np.testing.assert_allclose(ours[name], theirs[name], rtol=0, atol=atol, err_msg=name)


CELL = """create soma
soma { insert hh L = 10 diam = 10 }
objref ss
ss = new SaveState()
"""


def test_restore_needs_a_save_and_file_io_is_refused(tmp_path):
    hoc = HocSession(cwd=tmp_path, output_dir=tmp_path)
    hoc(CELL)
    with pytest.raises(HocError, match="SaveState.save\\(\\) before finitialize"):
        hoc("ss.save()")
    hoc("finitialize(-65)")
    with pytest.raises(HocError, match="Stored state inconsistent"):
        hoc("ss.restore()")
    hoc("ss.save()\nobjref f\nf = new File()\nf.wopen(\"state.dat\")")
    with pytest.raises(HocRefusal, match="SaveState.fwrite\\(\\) is not supported"):
        hoc("ss.fwrite(f)")


def test_restore_after_the_structure_changed_is_neurons_error():
    hoc = HocSession()
    hoc(CELL + "finitialize(-65)\nss.save()\nsoma nseg = 3\nfinitialize(-65)")
    with pytest.raises(HocError, match="Stored state inconsistent with current neuron structure"):
        hoc("ss.restore()")


def test_restore_with_netcons_is_refused():
    hoc = HocSession()
    hoc(CELL + "objref ns, syn, nc\nns = new NetStim()\nsoma syn = new ExpSyn(0.5)\nnc = new NetCon(ns, syn)\n"
        "finitialize(-65)\nss.save()")
    with pytest.raises(HocRefusal, match="NetCons or artificial cells"):
        hoc("ss.restore()")
