"""WATCH in HOC's live run (a model that runs twice, changing its stimulus between the runs, and reads
what its NET_RECEIVE counted): the live run's step checks WATCH conditions after the threshold sources,
as NEURON's fixed step does (netcvode.cpp `check_thresh` then the WatchConditions); it did not check them,
so a WATCH never fired there."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BURST = Path(__file__).resolve().parents[1] / "solver" / "event_mods" / "burst.mod"

HOC = """load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref stim, det
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 30
stim.amp = 0.15
soma det = new Burst(0.5)
det.vth = -20
det.vlow = -55
tstop = 40
run()
printf("first run: %g crossings, amp %g\\n", det.n, det.amp)
stim.amp = 0.3
run()
printf("second run: %g crossings, v %.6f\\n", det.n, soma.v(0.5))
"""


@pytest.mark.neuron
def test_watch_fires_in_the_live_run_as_in_neuron(tmp_path):
    from bridge import HocSession
    from validation.neuron_run import compile_mod_files

    (tmp_path / "mod").mkdir()
    shutil.copy(BURST, tmp_path / "mod" / "burst.mod")
    (tmp_path / "cell.hoc").write_text(HOC)
    library = compile_mod_files([tmp_path / "mod" / "burst.mod"])
    code = (f"from neuron import h\nh.nrn_load_dll({str(library)!r})\n"
            f"h.load_file({str(tmp_path / 'cell.hoc')!r})\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    theirs = [ln for ln in proc.stdout.splitlines() if "run:" in ln]
    out = io.StringIO()
    HocSession(tmp_path / "mod", stdout=out).load_file(tmp_path / "cell.hoc")
    ours = [ln for ln in out.getvalue().splitlines() if "run:" in ln]
    assert len(theirs) == 2 and float(theirs[0].split()[2]) > 0  # NEURON's detector fired
    assert ours == theirs
