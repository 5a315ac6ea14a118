"""`SUFFIX nothing` .mod files: libraries of FUNCTIONs and PROCEDUREs that HOC calls by their bare names
(bridge.hoc.mod_library). Two such files in one folder, written by us, used the way published models use
them (a HOC value computed by a library function, a PROCEDURE that sets the library's GLOBAL, a cell whose
parameters come from them); run by NEURON 9 (nrnivmodl) and by a `HocSession`: the printed values to 1e-9
and the recorded Vectors to 1e-9 mV. Two files that define the same name: nrnivmodl fails to link them,
bridge refuses the folder."""

from __future__ import annotations

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

LIB_RATES = """
NEURON { SUFFIX nothing }
PARAMETER { q10 = 3  tbase = 6.3 (degC) }
ASSIGNED { celsius (degC) }
FUNCTION boltz(vm (mV), vh (mV), k (mV)) { boltz = 1 / (1 + exp(-(vm - vh) / k)) }
FUNCTION qt() { qt = q10^((celsius - tbase) / 10) }
PROCEDURE setq10(q) { q10 = q }
"""

LIB_MATH = """
NEURON { SUFFIX nothing }
FUNCTION cube(x) { cube = x * x * x }
FUNCTION scaled(x, f) { scaled = f * cube(x) }
"""

# a density mechanism in the same folder: its FUNCTIONs keep their suffix
LEAK = """
NEURON { SUFFIX lk  NONSPECIFIC_CURRENT i  RANGE g, e }
PARAMETER { g = 1e-4 (S/cm2)  e = -70 (mV) }
ASSIGNED { v (mV)  i (mA/cm2) }
BREAKPOINT { i = g * (v - e) }
FUNCTION twice(x) { twice = 2 * x }
"""

USE = """
celsius = 16.3
{printf("boltz %.17g %.17g\\n", boltz(-40, -35, 5), boltz(10, -35, 5))}
{printf("qt %.17g q10 %.17g\\n", qt(), q10)}
setq10(2.5)
{printf("qt %.17g q10 %.17g\\n", qt(), q10)}
q10 = 2
{printf("qt %.17g cube %.17g scaled %.17g twice %.17g\\n", qt(), cube(1.5), scaled(2, 0.25), twice_lk(4))}
dend { insert lk  g_lk = 1e-4 * qt()  e_lk = -70 + 10 * boltz(-60, -65, 4) }
soma.gnabar_hh = scaled(0.4, 1.5)
stim.del = 1
stim.dur = 5
stim.amp = 0.3
tstop = 10
run()
{printf("after run v %.17g\\n", soma.v(0.5))}
"""


def _folder(tmp_path, files: dict[str, str]):
    mod = tmp_path / "mod"
    mod.mkdir()
    for name, text in files.items():
        (mod / name).write_text(text)
    return mod


@pytest.mark.neuron
def test_two_libraries_called_by_bare_names_match_neuron(tmp_path):
    mod = _folder(tmp_path, {"rates_lib.mod": LIB_RATES, "math_lib.mod": LIB_MATH, "lk.mod": LEAK})
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + USE, mod_dir=mod)
    assert any(ln.startswith("after run") for ln in theirs), theirs
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_two_libraries_defining_one_name_are_refused_as_nrnivmodl_fails(tmp_path):
    from validation.neuron_run import compile_mod_files

    mod = _folder(tmp_path, {"a_lib.mod": LIB_MATH, "b_lib.mod": LIB_MATH.replace("scaled", "other")})
    with pytest.raises(BridgeError):  # NEURON: "multiple definition of `cube(double)'" at link time
        compile_mod_files(sorted(mod.glob("*.mod")))
    with pytest.raises(BridgeError, match="cube is also defined by .*a_lib.mod"):
        HocSession(mod, cwd=tmp_path)


def test_a_library_is_not_a_mechanism(tmp_path):
    mod = _folder(tmp_path, {"math_lib.mod": LIB_MATH})
    hoc = HocSession(mod, cwd=tmp_path)
    hoc("create soma")
    with pytest.raises(BridgeError, match="nothing"):
        hoc("soma insert nothing")
    with pytest.raises(BridgeError, match="cube_nothing is not defined"):
        hoc("x = cube_nothing(2)")


def test_a_library_bridge_cannot_translate_is_refused_only_when_called(tmp_path):
    # C outside the subset bridge translates (docs/verbatim.md): a pointer
    verbatim = "NEURON { SUFFIX nothing }\nPARAMETER { flag = 1 }\nFUNCTION peek(x) {\nVERBATIM\n" \
               "    double* p = &_lx; _lpeek = *p;\nENDVERBATIM\n}\n"
    mod = _folder(tmp_path, {"raw_lib.mod": verbatim})
    hoc = HocSession(mod, cwd=tmp_path)
    hoc("flag = 3\nx = flag + 1")  # the library cannot be translated: its GLOBAL is an ordinary HOC variable
    assert hoc.x == 4.0
    with pytest.raises(BridgeError, match="raw_lib.mod"):
        hoc("y = peek(2)")


def test_a_verbatim_procedure_call_names_the_procedure_file_and_verbatim(tmp_path):
    """`vseed(3)` of a `SUFFIX nothing` PROCEDURE written in VERBATIM C (as published seed libraries are):
    the refusal names the procedure, the .mod file and the VERBATIM block, not "vseed is not defined"."""
    seed = "NEURON {\n    SUFFIX nothing\n}\nPROCEDURE vseed(seed) {\n  VERBATIM\n  srand48((unsigned)_lseed);\n" \
           "  ENDVERBATIM\n}\n"
    mod = _folder(tmp_path, {"seedlib.mod": seed})
    hoc = HocSession(mod, cwd=tmp_path)
    # the call runs the C bridge cannot run: refused there (bridge.nmodl.analysis.verbatim), at the C's own place
    with pytest.raises(BridgeError, match=r"(?s)vseed: calling a function whose C bridge cannot run: "
                                          r".*seedlib\.mod:6:21: VERBATIM block") as err:
        hoc("vseed(3)")
    assert "not defined" not in str(err.value)
