"""LinearMechanism (bridge.solver.linear_mechanism) against NEURON 9, on files of our own
(tests/validation/data/linear_mechanism).

gap.hoc: a gap junction between two hh cells the way published models make one (ModelDB 94321,
120910: a sparse c of zeros, a full g on the two nodes' rows); gap_fih.hoc: its conductance set again by
an FInitializeHandler after the LinearMechanism was made (NEURON reads the Matrices during the run, so
bridge takes their values when the run starts; those of its creation move b's peak by 0.4 mV).
extra_state.hoc: an electrode
with a capacitance to ground, one extra state (the tip's potential, starting at y0), driving a
soma with a dendrite.

NEURON solves these with sparse13 and bridge with the tree solve plus a Schur complement, so the
elimination orders differ and the traces are not equal bit for bit; they agree to about 2e-11 mV
(measured: gap.hoc 1.7e-11, gap_fih.hoc 1.5e-11, extra_state.hoc 1.3e-11), well inside the project's 1e-9 mV, which
the tests keep.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import bridge

DATA = Path(__file__).parent / "data" / "linear_mechanism"


@pytest.mark.neuron
@pytest.mark.parametrize("hoc", ["gap.hoc", "gap_fih.hoc", "extra_state.hoc"])
def test_linear_mechanisms_match_neuron(hoc):
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / hoc, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


def _run(model, probes, change=None):
    """bridge's run of the HOC model, its tree (a copy) changed by `change` first."""
    m = model.to_model()
    m = dataclasses.replace(m, tree=m.tree.copy())
    if change is not None:
        change(m.tree)
    sim = bridge.Simulation(m, record=probes)
    return sim.run(sim.params())


def test_the_gap_junction_couples_the_cells():
    model = bridge.load_hoc(DATA / "gap.hoc")
    coupled = _run(model, ["b(0.7).v"])
    alone = _run(model, ["b(0.7).v"], lambda tree: tree.linear_mechanisms.clear())
    # b is not stimulated: it leaves rest only through the junction
    assert float(np.max(coupled["b(0.7).v"])) - float(np.max(alone["b(0.7).v"])) > 1.0


def test_the_extra_state_starts_at_y0_and_drives_the_soma():
    model = bridge.load_hoc(DATA / "extra_state.hoc")
    base = _run(model, ["soma(0.5).v"])

    def start_high(tree):
        tree.linear_mechanisms[0].y0[1] = 30.0

    high = _run(model, ["soma(0.5).v"], start_high)
    assert float(np.max(base["soma(0.5).v"])) > 0  # the electrode's command makes the soma fire
    assert abs(float(high["soma(0.5).v"][5]) - float(base["soma(0.5).v"][5])) > 1e-3


def test_secondorder_is_refused_as_neuron_refuses_it():
    model = bridge.load_hoc(DATA / "gap.hoc")
    sim = bridge.Simulation(model.to_model(secondorder=2), record=["a(0.5).v"])
    with pytest.raises(bridge.errors.UnsupportedFeature, match="secondorder"):
        sim.run(sim.params())


@pytest.mark.neuron
def test_y_read_by_hoc_during_a_run_matches_neuron():
    """NEURON writes each step's solution into y; HOC reads it after finitialize, at 3 ms and at 20 ms."""
    import io
    import subprocess
    import sys

    path = DATA / "read_y.hoc"
    code = f"import os\nos.chdir({str(DATA)!r})\nfrom neuron import h\nh.load_file({str(path)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    out = io.StringIO()
    bridge.HocSession(stdout=out, cwd=DATA).load_file(path)
    ours = out.getvalue().splitlines()
    assert len(theirs) == 3 and ours == theirs
    assert theirs[0] == "-65.000000 -65.000000" and theirs[1] != theirs[2]


def test_a_linear_mechanism_made_during_a_run_is_refused():
    """NEURON starts its extra states at finitialize(); one made between continueruns would start from whatever
    y holds, which bridge does not reproduce: the run stops with the structure-changed error."""
    text = (DATA / "gap.hoc").read_text().replace("lm = new LinearMechanism", "proc make() { lm = new LinearMechanism")
    text = text.replace("b0, sl, xvec)", "b0, sl, xvec) }")
    hoc = bridge.HocSession(cwd=DATA)
    hoc(text)
    hoc('{load_file("stdrun.hoc")}\n{finitialize(-65)}\n{continuerun(2)}\nmake()')
    with pytest.raises(bridge.errors.BridgeError, match="structure"):
        hoc("{continuerun(4)}\nvb = b.v(0.7)")


def test_gradients_pass_through_the_coupled_solve():
    """jax.grad through the tree solves and the small dense solve agrees with a central difference."""
    import jax
    import jax.numpy as jnp

    sim = bridge.Simulation(bridge.load_hoc(DATA / "gap.hoc").to_model(tstop=5.0), record=["b(0.7).v"])
    p = sim.params()

    def loss(gk):
        q = jax.tree.map(lambda x: x, p)
        q["mechanisms"]["hh"]["gkbar"] = gk
        return jnp.sum(sim.run(q)["b(0.7).v"])

    gk = p["mechanisms"]["hh"]["gkbar"]
    grad = float(jnp.sum(jax.grad(loss)(gk)))
    fd = float((loss(gk + 1e-6) - loss(gk - 1e-6)) / 2e-6)
    assert abs(grad) > 1e3 and abs(grad - fd) <= 1e-6 * abs(fd)
