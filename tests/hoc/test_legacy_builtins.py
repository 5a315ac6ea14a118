"""Built-ins old models call (bridge.hoc.legacy, the dialogs in bridge.hoc.gui), against NEURON 9.0.2."""

from __future__ import annotations

import io
import subprocess
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


ION_MODS = {"cax.mod": "NEURON { SUFFIX cax USEION ca READ cai WRITE ica NONSPECIFIC_CURRENT i }\n"
                       "ASSIGNED { cai (mM) ica (mA/cm2) i (mA/cm2) }\nBREAKPOINT { ica = 0 i = 0 }\n",
            "xx.mod": "NEURON { SUFFIX xx USEION xi WRITE ixi VALENCE 3 }\nASSIGNED { ixi (mA/cm2) }\n"
                      "BREAKPOINT { ixi = 0 }\n"}


@pytest.mark.neuron
def test_ion_charge_matches_neuron(tmp_path):
    """eion.cpp ion_charge: na and k, ca with its default charge, an ion's USEION VALENCE."""
    from validation.neuron_run import compile_mod_files

    for name, text in ION_MODS.items():
        (tmp_path / name).write_text(text)
    hoc = tmp_path / "charge.hoc"
    hoc.write_text('create soma\nsoma { insert cax insert xx }\n'
                   'printf("%g %g %g %g\\n", ion_charge("na_ion"), ion_charge("k_ion"), ion_charge("ca_ion"), '
                   'ion_charge("xi_ion"))\n')
    lib = compile_mod_files(sorted(tmp_path.glob("*.mod")))
    work = tmp_path / "cwd"
    work.mkdir()
    code = f"from neuron import h\nh.nrn_load_dll({str(lib)!r})\nh.load_file({str(hoc)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=work)
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    out = io.StringIO()
    HocSession(mechanisms=tmp_path, stdout=out).load_file(hoc)
    assert out.getvalue().splitlines() == theirs == ["1 1 2 3", "\t8 "]


def test_ion_charge_of_an_ion_bridge_has_not_met_is_refused():
    with pytest.raises(HocRefusal, match=r"ion_charge\(\"ca_ion\"\): no mechanism the model used so far"):
        HocSession()('create soma\nx = ion_charge("ca_ion")\n')
