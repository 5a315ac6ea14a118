"""`new NetCon(pp, target)` from HOC with a POINT_PROCESS source that fires through net_event in its
NET_RECEIVE (the published NetStim-as-POINT_PROCESS idiom, ModelDB 106551's netstims.mod): our own
Relay (tests/solver/event_mods/relay.mod) between a NetStim and an ExpSyn, against NEURON 9.0.2."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridge import HocSession
from tests.hoc.printed_vectors import PRINT_PROC, printed_vectors

MODS = Path(__file__).resolve().parent.parent / "solver" / "event_mods"
HOC = """
load_file("stdrun.hoc")
create a, b
a { L = 20 diam = 20 insert hh }
b { L = 20 diam = 20 insert hh }
objref ns, relay, syn, nc1, nc2, rec, va, vb
ns = new NetStim()
ns.start = 1
ns.interval = 1.5
ns.number = 8
a relay = new Relay(0.5)
relay.nth = 2
b syn = new ExpSyn(0.5)
nc1 = new NetCon(ns, relay)
nc1.weight = 0.2
nc1.delay = 0.3
nc2 = new NetCon(relay, syn)
nc2.weight = 0.01
nc2.delay = 0.7
rec = new Vector()
nc2.record(rec)
va = new Vector()
va.record(&a.v(0.5))
vb = new Vector()
vb.record(&b.v(0.5))
tstop = 20
run()
""" + PRINT_PROC + """
pv("rec", rec)
pv("va", va)
pv("vb", vb)
"""


@pytest.mark.neuron
def test_point_process_source_matches_neuron(tmp_path):
    from validation.neuron_run import compile_mod_files

    dll = compile_mod_files(sorted(MODS.glob("*.mod")))
    path = tmp_path / "relay.hoc"
    path.write_text(HOC)
    code = f"from neuron import h\nh.nrn_load_dll({str(dll)!r})\nh.load_file({str(path)!r})\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    theirs = printed_vectors(out.stdout, ("rec", "va", "vb"))
    printed = io.StringIO()
    HocSession(str(MODS / "relay.mod"), stdout=printed).load_file(path)
    ours = printed_vectors(printed.getvalue(), ("rec", "va", "vb"))
    assert len(theirs["rec"]) >= 4  # the relay fired (twice per two NetStim events)
    assert ours["rec"].shape == theirs["rec"].shape and np.max(np.abs(ours["rec"] - theirs["rec"])) <= 1e-9
    for name in ("va", "vb"):
        assert ours[name].shape == theirs[name].shape
        assert np.max(np.abs(ours[name] - theirs[name])) <= 1e-9, name
    assert np.ptp(theirs["vb"]) > 0.5  # the relayed events reach the synapse
