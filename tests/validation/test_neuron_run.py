"""validation.neuron_run: nrnivmodl compile cache (real NEURON)."""

from __future__ import annotations

import pytest

from bridge.morphology.tree import SectionTree

# A leak whose UNITS come from an INCLUDEd file next to it (ModelDB 126467: Cont.mod INCLUDEs Unit.inc).
INC = "UNITS {\n    (mA) = (milliamp)\n    (mV) = (millivolt)\n    (S) = (siemens)\n}\n"
LEAKI = """
INCLUDE "units_own.inc"
NEURON { SUFFIX leaki  NONSPECIFIC_CURRENT i  RANGE g, e }
PARAMETER { g = 0.0003 (S/cm2) e = -58 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - e) }
"""


@pytest.mark.neuron
def test_included_files_are_compiled_with_the_mod_file(tmp_path):
    from bridge.testing import assert_matches_neuron
    from validation.neuron_run import compile_mod_files, included_files

    (tmp_path / "units_own.inc").write_text(INC)
    (tmp_path / "leaki.mod").write_text(LEAKI)
    assert [n for n, _ in included_files([tmp_path / "leaki.mod"])] == ["units_own.inc"]
    assert compile_mod_files([tmp_path / "leaki.mod"]).exists()
    tree = SectionTree()
    tree.section("soma", L=20, diam=20).insert("leaki")
    assert_matches_neuron(tree, {"tstop": 5.0, "stimuli": [{"section": "soma", "delay": 1, "dur": 2, "amp": 0.1}]},
                          mechanisms=[tmp_path / "leaki.mod"], atol=1e-9)


@pytest.mark.neuron
def test_nested_includes_in_a_subfolder_reach_nrnivmodl(tmp_path):
    """leaki INCLUDEs inc/params.inc, which INCLUDEs units_own.inc next to itself (nocmodl looks next to
    the including file first): both are copied into the build folder, and the model matches NEURON."""
    from bridge.testing import assert_matches_neuron
    from validation.neuron_run import included_files

    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "units_own.inc").write_text(INC)
    (tmp_path / "inc" / "params.inc").write_text('INCLUDE "units_own.inc"\n')
    (tmp_path / "leaki.mod").write_text(LEAKI.replace('INCLUDE "units_own.inc"', 'INCLUDE "inc/params.inc"'))
    assert [n for n, _ in included_files([tmp_path / "leaki.mod"])] == ["inc/params.inc", "inc/units_own.inc"]
    (tmp_path / "init.hoc").write_text("create soma\nsoma {\n    L = 20\n    diam = 20\n    insert leaki\n}\n"
                                       "objref st\nsoma st = new IClamp(0.5)\nst.del = 1\nst.dur = 2\nst.amp = 0.1\n"
                                       "tstop = 5\n")
    result = assert_matches_neuron(tmp_path / "init.hoc", mechanisms=tmp_path, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


@pytest.mark.neuron
def test_verbatim_headers_reach_nrnivmodl(tmp_path):
    """A VERBATIM block's `#include "own.h"` (and that header's own `#include "inner.h"`) compile as with
    `nrnivmodl .` in the model folder; NEURON then runs the mechanism (bridge refuses its C code)."""
    import subprocess
    import sys

    from validation.neuron_run import compile_mod_files, included_files

    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "inner.h").write_text("#define OWN_VALUE 42.0\n")
    (tmp_path / "h" / "own.h").write_text('#include "inner.h"\n')
    (tmp_path / "withc.mod").write_text("""
NEURON { SUFFIX withc RANGE x }
ASSIGNED { x }
VERBATIM
#include "h/own.h"
ENDVERBATIM
FUNCTION value() {
VERBATIM
    _lvalue = OWN_VALUE;
ENDVERBATIM
}
INITIAL { x = value() }
""")
    assert [n for n, _ in included_files([tmp_path / "withc.mod"])] == ["h/inner.h", "h/own.h"]
    lib = compile_mod_files([tmp_path / "withc.mod"])
    code = (f"from neuron import h\nh.nrn_load_dll({str(lib)!r})\ns = h.Section(name='s')\ns.insert('withc')\n"
            "h.finitialize(-65)\nprint(s(0.5).withc.x)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split()[-1] == "42.0"
