"""NumericalMethodPanel outside `object_push` (varmeth1.hoc) as batch NEURON 9.0.2 runs it: a session file's
VariableTimeStep block `ocbox_ = ocbox_.b1  ocbox_.map(...)` (ModelDB 33975's localstep.ses) only builds and
maps windows, so dt and the method stay as they were; the panel's `varstep`/`ode`/`fixed`/`localstep` are what
stdrun's cvode_active/cvode_local call; `cvode.statistics` only prints. Compared with real NEURON runs."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import numpy as np
import pytest

from bridge.errors import HocRefusal
from bridge.hoc.session import HocSession
from bridge.testing import assert_matches_neuron

CELL = """load_file("nrngui.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 3
stim.amp = 0.3
tstop = 8
"""

SES = """objectvar ocbox_
//Begin VariableTimeStep
{
ocbox_ = NumericalMethodPanel[0]
ocbox_ = ocbox_.b1
ocbox_.map("VariableTimeStep", 14, 530, 272.64, 106.56)
}
objref ocbox_
//End VariableTimeStep
"""

# dt set before the block: NEURON keeps it (the panel's map does not touch dt or the method)
MODEL = CELL + """dt = 0.0275
steps_per_ms = 40
load_file("panel.ses")
run()
cvode.statistics
"""

PROBE = CELL + """objref p
dt = 0.0275
load_file("panel.ses")
printf("after map: dt=%.17g active=%g\\n", dt, cvode.active())
p = NumericalMethodPanel[0].b1
p = NumericalMethodPanel[0]
p.ode()
printf("ode: dt=%.17g active=%g local=%g\\n", dt, cvode.active(), cvode.use_local_dt())
dt = 0.01
p.fixed()
printf("fixed: dt=%.17g active=%g local=%g\\n", dt, cvode.active(), cvode.use_local_dt())
p.varstep(1)
printf("varstep(1): dt=%.17g active=%g local=%g\\n", dt, cvode.active(), cvode.use_local_dt())
p.varstep(0)
p.localstep(1)
printf("localstep(1): dt=%.17g active=%g local=%g\\n", dt, cvode.active(), cvode.use_local_dt())
p.localstep(0)
printf("localstep(0): dt=%.17g active=%g local=%g\\n", dt, cvode.active(), cvode.use_local_dt())
cvode.statistics()
"""


def _files(tmp_path, text: str):
    (tmp_path / "panel.ses").write_text(SES)
    path = tmp_path / "model.hoc"
    path.write_text(text)
    return path


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^[a-z()01 ]+: dt=", line)]


@pytest.mark.neuron
def test_b1_block_keeps_dt_and_method_as_neuron(tmp_path):
    path = _files(tmp_path, PROBE)
    proc = subprocess.run([sys.executable, "-c", f"from neuron import h\nh.load_file({str(path)!r})"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    expected = _lines(proc.stdout)
    assert expected[0] == "after map: dt=0.0275 active=0" and len(expected) == 6, proc.stdout
    out = io.StringIO()
    with pytest.warns(UserWarning):
        HocSession(stdout=out).load_file(path)
    assert _lines(out.getvalue()) == expected


@pytest.mark.neuron
def test_b1_block_run_matches_neuron(tmp_path):
    result = assert_matches_neuron(_files(tmp_path, MODEL), {"default_steps": False}, atol=1e-9)
    print("NumericalMethodPanel b1 session max |dV| [mV]:", result.comparison.max_dv)
    assert result.comparison.max_dv <= 1e-9
    assert len(result.neuron.t) == 8 * 40 + 1  # NEURON ran at the model's dt (0.0275 -> setdt: 0.025)
    v = np.asarray(result.neuron.values)[:, result.neuron.labels.index("soma(0.5).v")]
    assert v.max() > 0  # the IClamp fires the cell


@pytest.mark.parametrize("call", ["dae(1)", "refresh()", "atoltool()"])
def test_acting_methods_refused(tmp_path, call):
    path = _files(tmp_path, CELL + f"NumericalMethodPanel[0].{call}\n")
    with pytest.raises(HocRefusal, match=rf"NumericalMethodPanel\.{call.split('(')[0]}\(\)"):
        HocSession().load_file(path)
