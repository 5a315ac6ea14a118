"""The HOC work of a run through the model's own `proc advance()` is counted per step
(`Limits.max_step_statements`, bridge.hoc.own_step), and ri()/area() of 3-D point sections are computed
once per distinct geometry (bridge.morphology.nodes `_pt3d_geometry_kept`): against NEURON 9.0.2.

dipole.hoc sums a current dipole over every 3-D point after each step, reading v and ri() at each point
(as ModelDB 106551's advance() does, 82,000 statements a step): its run needs more than a statement budget
that its set-up fits in, and runs when each step may do `max_step_statements`. geometry_reads.hoc reads
ri() and area() again after each change of what they depend on.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bridge import HocSession, Limits
from bridge.errors import HocError

pytestmark = pytest.mark.neuron

DATA = Path(__file__).parent / "data" / "step_budget"
BUDGET = 100_000  # the set-up of dipole.hoc fits (about 6,000); its run of 160 steps needs about 160,000


def _neuron_lines(name: str) -> list[str]:
    code = f"from neuron import h\nh.load_file({str(DATA / name)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=DATA)
    assert proc.returncode == 0, proc.stderr
    return [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]


def _bridge_lines(name: str, limits: Limits) -> list[str]:
    out = io.StringIO()
    HocSession(stdout=out, cwd=DATA, limits=limits).load_file(DATA / name)
    return out.getvalue().splitlines()


def test_a_run_whose_advance_needs_more_than_the_budget_runs_step_by_step_as_in_neuron():
    theirs = _neuron_lines("dipole.hoc")
    ours = _bridge_lines("dipole.hoc", Limits(max_statements=BUDGET))
    assert len(ours) == len(theirs) == 1 + 160 + 1  # load_file's 1, a line per step (160 to t = 4), the weight
    # the dipole sums differences of v between neighbouring points (1e-6 mV apart at rest): a round-off
    # difference of 1e-9 mV in each v moves it by at most 1e-9 times the printed weight
    w = float(theirs[-1])
    assert float(ours[-1]) == w
    dv = max(abs(float(a.split()[0]) - float(b.split()[0])) for a, b in zip(ours[1:-1], theirs[1:-1]))
    ddip = max(abs(float(a.split()[1]) - float(b.split()[1])) for a, b in zip(ours[1:-1], theirs[1:-1]))
    assert dv <= 1e-9
    assert ddip <= 1e-9 * w


def test_the_same_run_counted_against_the_budget_alone_is_refused():
    with pytest.raises(HocError, match=r"dipole\.hoc:\d+.*statement budget of 100000 exhausted \(an endless loop\?\)"):
        _bridge_lines("dipole.hoc", Limits(max_statements=BUDGET, max_step_statements=0))


def test_an_endless_loop_in_a_step_ends_after_the_step_allowance(tmp_path):
    hoc = tmp_path / "endless.hoc"
    hoc.write_text('load_file("stdrun.hoc")\ncreate soma\nsoma insert pas\nn = 0\n'
                   'proc advance() {\n  fadvance()\n  n += 1\n  if (n == 3) { while (1) { } }\n}\ntstop = 1\nrun()\n')
    start = time.perf_counter()
    with pytest.raises(HocError) as err:
        HocSession(cwd=tmp_path, limits=Limits(max_statements=20_000, max_step_statements=50_000)).load_file(hoc)
    msg = str(err.value)
    assert "endless.hoc:8:" in msg and "Limits.max_step_statements = 50000" in msg
    assert "Limits(max_step_statements=...)" in msg
    assert time.perf_counter() - start < 60  # 70,000 statements' worth, a fraction of a second unloaded


def test_ri_and_area_of_3d_sections_follow_each_change_as_in_neuron():
    assert _bridge_lines("geometry_reads.hoc", Limits()) == _neuron_lines("geometry_reads.hoc")
