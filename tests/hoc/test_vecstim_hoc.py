"""HOC's `new VecStim()` and `vs.play(vec)` (the published-model idiom around NEURON's vecevent.mod) run
bridge's own VecStim; NEURON 9.0.2 runs a C VecStim that reads its Vector as vecevent.mod does
(tests/solver/vecstim_neuron/vecstim_c.mod, compiled for NEURON only), or the vecevent.mod a PyPI package
ships (NEURON compiles it, bridge recognises and replaces it). Traces and spike times compared."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridge import HocSession
from tests.hoc.printed_vectors import PRINT_PROC, printed_vectors
from tests.solver.shipped_vecevent import SHIPPED, shipped_vecevent

HERE = Path(__file__).resolve().parent
HOC = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref vs, vs2, tv, tv2, syn, nc, nc2, rec, rec2, vv
tv = new Vector()
tv.append(0, 1, 3.3, 3.3, 7.0125)
tv2 = new Vector()
vs = new VecStim()
vs.play(tv)
tv.append(12)             // NEURON's VecStim reads its Vector during the run: appended times count
vs2 = new VecStim()
vs2.play(tv2)             // an empty Vector: no events
soma syn = new ExpSyn(0.5)
syn.tau = 3
nc = new NetCon(vs, syn)
nc.weight = 0.004
nc.delay = 0.5
nc2 = new NetCon(vs2, syn)
nc2.weight = 1
rec = new Vector()
nc.record(rec)
rec2 = new Vector()
nc2.record(rec2)
vv = new Vector()
vv.record(&soma.v(0.5))
tstop = 20
run()
""" + PRINT_PROC + """
pv("vv", vv)
pv("rec", rec)
pv("rec2", rec2)
"""


@pytest.mark.neuron
def test_hoc_vecstim_play_matches_neuron(tmp_path):
    from validation.neuron_run import compile_mod_files

    dll = compile_mod_files(sorted((HERE.parent / "solver" / "vecstim_neuron").glob("*.mod")))
    path = tmp_path / "vecstim.hoc"
    path.write_text(HOC)
    code = ("import json\nfrom neuron import h\n"
            f"h.nrn_load_dll({str(dll)!r})\nh.load_file({str(path)!r})\n"
            )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    theirs = printed_vectors(out.stdout, ("vv", "rec", "rec2"))
    v_n, rec_n, rec2_n = theirs["vv"], theirs["rec"], theirs["rec2"]
    printed = io.StringIO()
    HocSession(stdout=printed).load_file(path)
    ours = printed_vectors(printed.getvalue(), ("vv", "rec", "rec2"))
    v_b, rec_b, rec2_b = ours["vv"], ours["rec"], ours["rec2"]
    assert len(rec_n) == 6 and len(rec2_n) == 0  # the appended time fired in NEURON
    assert rec_b.shape == rec_n.shape and np.max(np.abs(rec_b - rec_n)) <= 1e-9
    assert len(rec2_b) == 0
    assert v_b.shape == v_n.shape and np.max(np.abs(v_b - v_n)) <= 1e-9
    assert np.ptp(v_n) > 1.0  # the events drive the cell


# the same HOC, the synapse strong enough to make the cell fire, the cell's spikes recorded too
HOC_FIRING = HOC.replace("nc.weight = 0.004", "nc.weight = 0.02").replace("tstop = 20", """objref ncv, recv, nil
soma ncv = new NetCon(&v(0.5), nil)
ncv.threshold = -20
recv = new Vector()
ncv.record(recv)
tstop = 20""") + 'pv("recv", recv)\n'


@pytest.mark.neuron
@pytest.mark.parametrize("package", sorted(SHIPPED))
def test_shipped_vecevent_mod_substituted_matches_neuron_compiling_it(package, tmp_path):
    # the vecevent.mod a PyPI package ships (two of NEURON's versions: tests/solver/shipped_vecevent.py):
    # NEURON compiles that file with nrnivmodl, bridge recognises it in the model's folder and runs its own
    # VecStim; voltages and the spike times of the VecStims and of the cell compared
    from validation.neuron_run import compile_mod_files

    mod = tmp_path / "mod"
    mod.mkdir()
    shutil.copy(shipped_vecevent(package), mod / "vecevent.mod")
    dll = compile_mod_files([mod / "vecevent.mod"])
    path = tmp_path / "vecstim.hoc"
    path.write_text(HOC_FIRING)
    code = f"from neuron import h\nh.nrn_load_dll({str(dll)!r})\nh.load_file({str(path)!r})\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    names = ("vv", "rec", "rec2", "recv")
    theirs = printed_vectors(out.stdout, names)
    printed = io.StringIO()
    with pytest.warns(UserWarning, match="vecevent.mod .VecStim. recognised"):
        HocSession(mechanisms=mod, stdout=printed).load_file(path)
    ours = printed_vectors(printed.getvalue(), names)
    assert len(theirs["rec"]) == 6 and len(theirs["rec2"]) == 0 and len(theirs["recv"]) >= 1  # it fired
    for name in ("rec", "rec2", "recv"):
        assert ours[name].shape == theirs[name].shape, (name, ours[name], theirs[name])
        assert np.array_equal(ours[name], theirs[name]), (name, ours[name], theirs[name])  # the same doubles
    dv = np.max(np.abs(ours["vv"] - theirs["vv"]))
    print(f"{package}: max |dV| = {dv:.3g} mV, spike times {theirs['rec']} / cell {theirs['recv']}")
    assert ours["vv"].shape == theirs["vv"].shape and dv <= 1e-9
