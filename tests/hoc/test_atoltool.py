"""A session file's VariableTimeStep panel with an AtolTool (113435's model_and_interface.ses): the tool and
its atolscales only concern CVODE, so the fixed-step run is NEURON's (real NEURON 9.0.2, <= 1e-9 mV)."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.errors import HocRefusal
from bridge.hoc.session import HocSession
from bridge.testing import assert_matches_neuron

MODEL = """load_file("nrngui.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 3
stim.amp = 0.3
tstop = 8
load_file("panel.ses")
"""

SES = """objectvar save_window_, rvp_
objectvar scene_vector_[2]
objectvar ocbox_, ocbox_list_, scene_, scene_list_
{ocbox_list_ = new List()  scene_list_ = new List()}
//Begin VariableTimeStep
{
ocbox_ = NumericalMethodPanel[0]
}
{object_push(ocbox_)}
{
atol_ = 0.001  CVode[0].atol(atol_)
restore(1, 1)
 atoltool_ = new AtolTool()
    ats("v", 10)
    ats("m_hh", 0.1)
    ats("Vector", -1)
 atoltool_.scales()
}
{object_pop()}
{
ocbox_.map("VariableTimeStep", 5, 715, 272.64, 113.28)
}
objref ocbox_
//End VariableTimeStep
"""


@pytest.mark.neuron
def test_atoltool_in_session_file_changes_nothing(tmp_path):
    (tmp_path / "panel.ses").write_text(SES)
    path = tmp_path / "model.hoc"
    path.write_text(MODEL)
    result = assert_matches_neuron(path, {"default_steps": False}, atol=1e-9)
    print("AtolTool session max |dV| [mV]:", result.comparison.max_dv)
    v = np.asarray(result.neuron.values)[:, result.neuron.labels.index("soma(0.5).v")]
    assert v.max() > 0  # the IClamp fires the cell


def test_atoltool_analysis_run_refused(tmp_path):
    path = tmp_path / "anrun.hoc"
    path.write_text("objref a\na = new AtolTool()\na.scales()\na.anrun()\n")
    with pytest.raises(HocRefusal, match=r"AtolTool.anrun\(\) is not supported"):
        HocSession().load_file(path)


@pytest.mark.neuron
@pytest.mark.parametrize("before, code", [(2, 1), (0, 201)])
def test_panel_restore_sets_the_fixed_step_method(tmp_path, before, code):
    """`restore(1, 1)` of the panel (varmeth1.hoc isfixed) sets secondorder = 0 after the model set 2;
    `restore(201, 1)` (iscn) sets 2: the traces are NEURON's with the method the panel restored."""
    (tmp_path / "panel.ses").write_text(SES.replace("restore(1, 1)", f"restore({code}, 1)"))
    path = tmp_path / "model.hoc"
    path.write_text(MODEL.replace("tstop = 8", f"tstop = 8\nsecondorder = {before}"))
    session = HocSession(cwd=tmp_path)
    session.load_file(path)
    assert session._interp.model.globals["secondorder"] == (0.0 if code == 1 else 2.0)
    result = assert_matches_neuron(path, {"default_steps": False}, atol=1e-9)
    print(f"restore({code}) max |dV| [mV]:", result.comparison.max_dv)
