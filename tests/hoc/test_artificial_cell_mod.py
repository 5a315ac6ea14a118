"""An ARTIFICIAL_CELL of the model's own .mod files (not one of NEURON's built-ins) driving a synapse from
HOC: its mechanism is loaded though it sits in no section (bridge looked only at the sections' mechanisms,
and stopped with "Tick is not a loaded ARTIFICIAL_CELL mechanism"). Against NEURON: one run (validation's
model) and two runs read back from HOC (the live run)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

TICK = """NEURON { ARTIFICIAL_CELL Tick RANGE interval }
PARAMETER { interval = 5 (ms) }
INITIAL { net_send(interval, 1) }
NET_RECEIVE (w) {
    if (flag == 1) { net_event(t) net_send(interval, 1) }
}
"""

CELL = """load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref tk, syn, nc, rec, times, nil
tk = new Tick()
tk.interval = 7
soma syn = new ExpSyn(0.5)
nc = new NetCon(tk, syn)
nc.weight = 0.02
nc.delay = 1
times = new Vector()
rec = new NetCon(tk, nil)
rec.record(times)
tstop = 40
"""

RUNS = """run()
printf("first: %d ticks, v %.6f\\n", times.size(), soma.v(0.5))
tk.interval = 4
run()
printf("second: %d ticks, last %g, v %.6f\\n", times.size(), times.x[times.size() - 1], soma.v(0.5))
"""


@pytest.fixture
def model(tmp_path):
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "tick.mod").write_text(TICK)
    return tmp_path


@pytest.mark.neuron
def test_an_artificial_cell_of_the_model_drives_a_synapse_as_in_neuron(model):
    from bridge.testing import assert_matches_neuron

    (model / "cell.hoc").write_text(CELL)
    assert_matches_neuron(model / "cell.hoc", {"tstop": 40.0}, mechanisms=model / "mod", atol=1e-9)


@pytest.mark.neuron
def test_its_runs_read_back_from_hoc_as_in_neuron(model):
    from bridge import HocSession
    from validation.neuron_run import compile_mod_files

    (model / "runs.hoc").write_text(CELL + RUNS)
    library = compile_mod_files([model / "mod" / "tick.mod"])
    code = f"from neuron import h\nh.nrn_load_dll({str(library)!r})\nh.load_file({str(model / 'runs.hoc')!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=model)
    theirs = [ln for ln in proc.stdout.splitlines() if ": " in ln and "ticks" in ln]
    out = io.StringIO()
    HocSession(model / "mod", stdout=out).load_file(model / "runs.hoc")
    ours = [ln for ln in out.getvalue().splitlines() if ": " in ln and "ticks" in ln]
    assert len(theirs) == 2 and ours == theirs
