"""fstim (NEURON's old current stimulus, src/nrnoc/fstim.cpp) against real NEURON 9.0.2.

fstim is switched on while delay - 1e-9 <= t <= delay + duration - 1e-9 at the step's mid time,
with its current 1e2*amp/area added to the node's rhs after the mechanisms' currents: the models
below place pulses whose delay falls on a step boundary, on a mid-step time (where the 1e-9 rule
decides) and between both, at a segment centre, at a zero-area end node and at x=0 (the parent's
node), two on one node, and one placed before the section's diameter changes.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from bridge.errors import HocError
from bridge.hoc.session import HocSession, load_hoc
from bridge.testing import assert_matches_neuron

CELL = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert hh }
dend { L = 200 diam = 2 nseg = 5 insert pas g_pas = 1e-4 e_pas = -65 }
"""

PULSES = CELL + """
fstim(5)
soma fstim(0, 0.5, 1, 2, 0.3)          // delay on a step boundary (dt = 0.025)
access dend
fstim(1, 1, 0.5125, 0.5, 0.2)          // delay and end on mid-step times: the 1e-9 rule decides
fstim(2, 0, 3.31, 1.234, -0.1)         // x = 0: the parent's node (soma(1), zero area)
soma fstim(3, 0.5, 4.0125, 0.75, 0.15) // a second pulse on soma's node
fstim(4, 0.3, 5.7, 1, 0.05)
dend.diam = 1.5                        // after fstim: NEURON takes the area again (stim_prepare)
tstop = 8
"""


def _write(tmp_path, text: str):
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.neuron
def test_fstim_pulses_match_neuron(tmp_path):
    result = assert_matches_neuron(_write(tmp_path, PULSES), {"default_steps": False}, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    v = np.asarray(result.neuron.values)[:, result.neuron.labels.index("soma(0.5).v")]
    assert v.max() > 0  # the soma pulse fires the cell: the stimulus did act


@pytest.mark.neuron
@pytest.mark.parametrize("dt", [0.025, 0.01, 0.1])
def test_fstim_switching_times_match_neuron(tmp_path, dt):
    """Delays on, between and half-way between steps for several dt; secondorder 2 moves nothing."""
    text = CELL + f"""
dt = {dt}
steps_per_ms = {1 / dt}
fstim(3)
soma fstim(0, 0.5, {10 * dt}, {20 * dt}, 0.05)
soma fstim(1, 0.5, {30.5 * dt}, {10.5 * dt}, 0.05)
soma fstim(2, 0.5, {45.3 * dt}, {7.1 * dt}, 0.05)
tstop = {80 * dt}
"""
    assert_matches_neuron(_write(tmp_path, text), {"default_steps": False}, atol=1e-9)


@pytest.mark.neuron
def test_fstim_reallocation_and_deleted_section_match_neuron(tmp_path):
    """fstim(n) frees what was placed; a stimulus in a deleted section is dropped."""
    text = CELL + """
create extra
connect extra(0), soma(0)
fstim(2)
soma fstim(0, 0.5, 0, 100, 5)       // freed by fstim(3) below
fstim(3)
extra fstim(0, 0.5, 0.5, 2, 0.4)    // dropped with its section
soma fstim(1, 0.5, 0.5, 2, 0.1)
extra delete_section()
tstop = 5
"""
    assert_matches_neuron(_write(tmp_path, text), {"default_steps": False}, atol=1e-9)


def test_fstim_is_in_the_model_tree(tmp_path):
    model = load_hoc(_write(tmp_path, PULSES))
    stims = model.tree.fstims
    assert [(s.section, s.x, s.delay, s.duration, s.amp) for s in stims][:2] == [
        ("soma", 0.5, 1.0, 2.0, 0.3), ("dend", 1.0, 0.5125, 0.5, 0.2)]
    assert len(stims) == 5


def test_fstimi_is_the_current_at_t():
    s = HocSession()
    s("create soma\naccess soma\nfstim(2)\nfstim(0, 0.5, 0, 1, 0.3)\nfstim(1, 0.5, 2, 1, 0.7)")
    s("x0 = fstimi(0)\nx1 = fstimi(1)")
    assert (s.x0, s.x1) == (0.3, 0.0)


@pytest.mark.parametrize("stmt, message", [
    ("fstim(0, 0.5, 1, 1, 1)", "index out of range"),
    ("fstim(1)\nfstim(0, 1.5, 1, 1, 1)", "arg 2 out of range"),
    ("fstim(1)\nfstim(0, 0.5, -1, 1, 1)", "arg 3 out of range"),
    ("fstim(10001)", "arg 1 out of range"),
    ("fstimi(0)", "arg 1 out of range"),
])
def test_fstim_errors_as_neuron(stmt, message):
    with pytest.raises(HocError, match=message):
        HocSession()("create soma\naccess soma\n" + stmt)


@pytest.mark.neuron
def test_a_model_driven_by_fstim_gets_no_default_steps(tmp_path):
    """validate adds its current steps only to models that drive nothing: fstim drives."""
    result = assert_matches_neuron(_write(tmp_path, PULSES), None, atol=1e-9)
    assert result.neuron.stimuli == []
    assert result.bridge.stimuli == []
