"""bridge.hoc.runcheck: a run bridge simulates later must be the run NEURON makes while the HOC runs.

A model that changes during its run (a stepping loop that drives a stimulus, a parameter
changed between two continuerun()s, dt changed mid-run) is refused; one that changes after
its last run cannot be simulated as "the HOC's run" (to_model() gives the model as it is).
Runs made of pieces without changes are simulated and compared with NEURON.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import bridge
from bridge.errors import BridgeError, HocError
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


@pytest.mark.parametrize("extra, where", [
    # a stepping loop that drives the stimulus itself
    ("finitialize(-65)\nwhile (t < 2) { stim.amp = t/10  fadvance() }", "after t = 0.025 ms"),
    # a parameter changed between two pieces of one run
    ("finitialize(-65)\ncontinuerun(2)\nsoma.gnabar_hh = 0.2\ncontinuerun(4)", "after t = 2 ms"),
    # dt changed while stepping (as an init() that steps to steady state with a large dt)
    ("finitialize(-65)\ndt = 0.5\nfor i = 1, 4 fadvance()\ndt = 0.025\ncontinuerun(5)", "after t = 2 ms"),
    # celsius changed mid-run
    ("finitialize(-65)\ncontinuerun(1)\ncelsius = 20\ncontinuerun(2)", "after t = 1 ms"),
])
def test_a_model_that_changes_during_its_run_is_refused(tmp_path, extra, where):
    with pytest.warns(UserWarning) if "fadvance" in extra else _nothing():
        with pytest.raises(HocError, match="the model changed during its run \\(" + where.replace(".", "\\.")):
            _session(tmp_path, extra)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_model_changed_after_its_run_is_not_simulated_as_that_run(tmp_path):
    hoc = _session(tmp_path, "tstop = 5\nrun()\nsoma.gnabar_hh = 0.2")
    model = hoc.model()
    assert model.protocol.changed_after_run
    with pytest.raises(BridgeError, match="changed the model after its last run"):
        model.simulate()
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
    with pytest.warns(UserWarning) if "fadvance" in extra else _nothing():
        model = bridge.load_hoc(path)
    ours = np.asarray(model.simulate()["soma(0.5).v"])
    assert ours.shape == ref["vs"].shape
    assert np.max(np.abs(ours - ref["vs"])) <= 1e-9
    assert np.max(ref["vs"]) > 0


def test_a_run_that_starts_after_init_stepped_time_is_refused(tmp_path):
    """A model whose init() steps to steady state (fadvance with a large dt) before the run:
    `bridge validate` and check_run_start refuse to start bridge's run there."""
    from bridge.errors import UnsupportedFeature
    from bridge.hoc.stdrun import check_run_start

    hoc = _session(tmp_path, "proc init() { local i\n finitialize(-65)\n dt = 0.5\n for i = 1, 10 fadvance()\n"
                             " dt = 0.025\n}")
    with pytest.warns(UserWarning, match="fadvance"):
        hoc("stdinit()")
    with pytest.raises(UnsupportedFeature, match=r"advanced time itself \(to t = 5 ms"):
        check_run_start(hoc._state)
