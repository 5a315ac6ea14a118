"""A model that plays Vectors (`Vector.play`) is never run without its plays: `HocModel.simulate()` returns
the HOC's own live run (plays applied, against NEURON 9.0.2), `bridge validate` compares that live run with
NEURON's, and `to_model()` refuses, naming the played variable (a `bridge.Model` has no plays yet)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import bridge
from bridge.errors import UnsupportedFeature

PLAYED = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert pas }
access soma
objref curr, stim, vs
curr = new Vector()
for i = 0, 199 { curr.append(sin(i*0.3) * 0.1) }
stim = new IClamp(0.5)
stim.dur = 1e9
curr.play(&stim.amp, 0.3)
vs = new Vector()
vs.record(&soma.v(0.5))
tstop = 50
run()
"""


def _write(tmp_path):
    path = tmp_path / "played.hoc"
    path.write_text(PLAYED)
    return path


def test_to_model_refuses_a_model_that_plays(tmp_path):
    model = bridge.load_hoc(_write(tmp_path))
    with pytest.raises(UnsupportedFeature, match=r"IClamp\[0\]\.amp"):
        model.to_model()


@pytest.mark.neuron
def test_simulate_applies_the_plays_as_neuron(tmp_path):
    path = _write(tmp_path)
    code = ("import json\nfrom neuron import h\n"
            f"h.load_file({str(path)!r})\nprint(json.dumps(list(h.vs)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    theirs = np.asarray(json.loads(out.stdout.strip().splitlines()[-1]))
    traces = bridge.load_hoc(path).simulate()
    ours = np.asarray(traces[traces.labels[0]])
    assert ours.shape == theirs.shape
    assert np.max(np.abs(ours - theirs)) <= 1e-9
    assert np.ptp(theirs) > 1.0  # the play drives the cell: without it v would stay at -65


@pytest.mark.neuron
def test_bridge_validate_compares_a_model_that_plays(tmp_path):
    """validate runs the protocol run in the model's live run, where the plays are applied (ModelDB 116983
    plays into an IClamp's amp); before, it refused the model."""
    from validation.case import Case, Protocol
    from validation.suite import run_case

    result = run_case(Case("played", hoc=_write(tmp_path), protocol=Protocol()))  # the model's own tstop
    assert result.passed, (result.error, result.comparison and result.comparison.reasons)
    comp = result.comparison
    assert comp.max_dv <= 1e-9
    v = np.asarray(result.neuron.values)[:, 0]
    assert np.ptp(v) > 1.0  # the play drives the cell in NEURON's run too
