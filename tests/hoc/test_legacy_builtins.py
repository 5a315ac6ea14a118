"""Built-ins old models call (bridge.hoc.legacy, the dialogs in bridge.hoc.gui), against NEURON 9.0.2."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

import bridge
from bridge.errors import HocRefusal
from bridge.hoc.session import HocSession

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import compare_trees, neuron_dump  # noqa: E402

MODEL = """
load_file("nrngui.hoc")
create soma, dend
connect dend(0), soma(1)
objref vec, nul
strdef cn, cn2
vec = new Vector(3)
classname(vec, cn)
cn2 = "kept"
classname(nul, cn2)
soma { L = 10 diam = 10 nseg = 1 insert pas }
if (strcmp(cn, "Vector") == 0) { soma.L = 33 }
if (strcmp(cn2, "NULLobject") == 0) { dend.L = 77 }
x = boolean_dialog("go on?", "yes", "no")
y = boolean_dialog("and?")
dend.diam = 1 + 2*x + 4*y
z = continue_dialog("note")
dend.nseg = 3 + 2*z
xpanel("panel")
xpvalue("tstop", &tstop)
xpvalue("v_init")
xpanel()
"""


@pytest.mark.neuron
def test_classname_and_dialogs_match_neuron(tmp_path):
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(MODEL))
    ref = neuron_dump(path)
    with pytest.warns(UserWarning):  # the GUI calls are listed in one warning
        model = bridge.load_hoc(path)
    compare_trees(model, ref)
    assert model.tree["soma"].L == 33 and model.tree["dend"].L == 77 and model.tree["dend"].nseg == 5


@pytest.mark.parametrize("call, what", [
    ("fclamp(1, 0.5)", "old voltage clamp.*SEClamp"), ("fclampv()", "old voltage clamp"),
    ("fsyn(1)", "old alpha synapse.*AlphaSynapse"), ("batch_save()", "batch_run writes"),
    ("batch_run(10, 1, \"out.dat\")", "writes it to a file"),
])
def test_old_builtins_are_refused_by_name(call, what):
    with pytest.raises(HocRefusal, match=rf"{call.split('(')[0]}\(\) is not supported by bridge: .*{what}"):
        HocSession()("create soma\naccess soma\n" + call)
