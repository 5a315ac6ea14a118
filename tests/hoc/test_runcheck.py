"""bridge.hoc.runcheck with the live run: a run made of pieces, or a model changed after its run.

A run in pieces without changes is simulated in one piece by `HocModel.simulate` and matches NEURON;
a model changed after its run hands out the run HOC made (simulated live) from `simulate()`, and
`to_model()` is the model as it is now. Runs that change during the run: tests/hoc/test_live_run.py.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import bridge
from bridge.hoc.session import HocSession
from tests.hoc.test_protocol import neuron_vectors

CELL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh }
objref stim, vs
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 3
stim.amp = 0.3
vs = new Vector()
vs.record(&soma.v(0.5))
"""


def _session(tmp_path, extra: str) -> HocSession:
    hoc = HocSession(cwd=tmp_path)
    hoc(textwrap.dedent(CELL) + textwrap.dedent(extra))
    return hoc


def test_a_model_changed_after_its_run_hands_out_the_run_it_made(tmp_path):
    hoc = _session(tmp_path, "tstop = 5\nrun()\nsoma.gnabar_hh = 0.2")
    model = hoc.model()
    assert model.protocol.changed_after_run
    ran = np.asarray(model.simulate()["soma(0.5).v"])  # the run the HOC made, with gnabar 0.12
    before = _session(tmp_path, "tstop = 5\nrun()").model()
    assert before.live_traces is None  # a run in one piece: simulate() runs it
    assert np.array_equal(np.asarray(before.simulate()["soma(0.5).v"]).shape, ran.shape)
    assert np.max(np.abs(np.asarray(before.simulate()["soma(0.5).v"]) - ran)) <= 1e-9
    assert model.to_model().tree["soma"].mechanisms["hh"]["gnabar"][0] == 0.2  # the model as it is now
    same = _session(tmp_path, "tstop = 5\nrun()\nsoma.gnabar_hh = 0.12\nstim.amp = 0.3\nx = 1").model()
    assert not same.protocol.changed_after_run  # assigning the values it had changes nothing


@pytest.mark.neuron
@pytest.mark.parametrize("extra", [
    "tstop = 6\nfinitialize(-65)\ncontinuerun(2)\ncontinuerun(6)",
    "tstop = 6\nfinitialize(-65)\nwhile (t < tstop - dt/2) { fadvance() }",
    "tstop = 6\nfinitialize(-65)\nfor i = 1, 40 fadvance()\ncontinuerun(3)\ncontinuerun(2)\ncontinuerun(6)",
])
def test_a_run_in_pieces_without_changes_matches_neuron(tmp_path, extra):
    path = tmp_path / "pieces.hoc"
    path.write_text(textwrap.dedent(CELL) + extra + "\n")
    ref = neuron_vectors(path, "vs")
    model = bridge.load_hoc(path)
    ours = np.asarray(model.simulate()["soma(0.5).v"])
    assert ours.shape == ref["vs"].shape
    assert np.max(np.abs(ours - ref["vs"])) <= 1e-9
    assert np.max(ref["vs"]) > 0


def test_a_run_that_starts_after_init_stepped_time_is_not_one_from_finitialize(tmp_path):
    """A model whose init() steps to steady state (fadvance with a large dt) before the run: check_run_start
    says a run simulated again from finitialize() cannot start there (`bridge validate` then continues the
    live run: tests/hoc/test_steady_state_init.py)."""
    from bridge.errors import UnsupportedFeature
    from bridge.hoc.stdrun import check_run_start

    hoc = _session(tmp_path, "proc init() { local i\n finitialize(-65)\n dt = 0.5\n for i = 1, 10 fadvance()\n"
                             " dt = 0.025\n}")
    hoc("stdinit()")
    with pytest.raises(UnsupportedFeature, match=r"advanced time itself \(to t = 5 ms"):
        check_run_start(hoc._state)
