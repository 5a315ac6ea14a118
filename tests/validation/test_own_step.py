"""A model's own stdrun `proc advance()` / `proc step()` (bridge.hoc.own_step): its traces against NEURON's.

Each model changes its stimulus between steps from HOC, so a continuerun that skipped the model's procedure
(as bridge's did) gives other traces; the printed output (step counts, a running maximum) is compared too.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import HocSession
from bridge.testing import assert_matches_neuron

pytestmark = pytest.mark.neuron

DATA = Path(__file__).parent / "data" / "own_step"


@pytest.mark.parametrize("name", ["advance.hoc", "step.hoc"])
def test_a_models_own_advance_or_step_runs_each_step_as_in_neuron(name):
    result = assert_matches_neuron(DATA / name, {"recordings": ["soma(0.5).v", "soma(0.5).m_hh"]})
    assert result.passed and result.comparison.max_dv <= 1e-9
    code = f"from neuron import h\nh.load_file({str(DATA / name)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=DATA)
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    out = io.StringIO()
    HocSession(stdout=out, cwd=DATA).load_file(DATA / name)
    assert out.getvalue().splitlines() == theirs
