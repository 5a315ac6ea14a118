"""A `SUFFIX nothing` library with VERBATIM C (bridge.hoc.verbatim_library), written by us the way the published
vecst.mod is: code-word PARAMETERs (`ERR`), a GLOBAL ASSIGNED a TABLE'd PROCEDURE sets, an `install_lib()`
PROCEDURE whose VERBATIM installs a Vector method, FUNCTIONs written in C. NEURON 9 (nrnivmodl) and a
`HocSession` run the same HOC: the printed values to 1e-9 and the recorded Vectors to 1e-9 mV. What needs the C
(a FUNCTION in VERBATIM, one calling it, the Vector method) is refused where HOC calls it, naming the function,
the .mod file and the VERBATIM line."""

from __future__ import annotations

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

LIB = r"""
NEURON {
  SUFFIX nothing
  GLOBAL INSTALLED, RES, LOOSE
}
PARAMETER {
  INSTALLED = 0
  LOOSE = 1e-6
  ERR = -1.3480e121
  GET = -1.3479e121
}
ASSIGNED { RES }

VERBATIM
#define SCALE_N 3
static double scale[SCALE_N];
static double vsum (void* vv) {
  double* x;
  int i, n = vector_instance_px(vv, &x);
  double s = 0.;
  for (i = 0; i < n; i++) s += x[i] * scale[0];
  return s;
}
ENDVERBATIM

PROCEDURE install_lib () {
  if (INSTALLED == 1) {
    INSTALLED = 2
  } else {
    INSTALLED = 1
    VERBATIM {
    int i;
    install_vector_method("vsum", vsum);
    for (i = 0; i < 3; i++) scale[i] = pow(2, i);
    }
    ENDVERBATIM
  }
}

PROCEDURE Expo (x) {
  TABLE RES FROM -20 TO 20 WITH 500
  RES = exp(x)
}

FUNCTION EXPS (x) {
  if (x > 20 || x < -20) {
    EXPS = ERR
  } else {
    Expo(x)
    EXPS = RES
  }
}

FUNCTION flor (x) {
  VERBATIM
  _lflor = floor(_lx);
  ENDVERBATIM
}

FUNCTION twoflor (x) { twoflor = 2 * flor(x) }
"""

USE = """
{printf("ERR %.17g GET %.17g LOOSE %.17g INSTALLED %g\\n", ERR, GET, LOOSE, INSTALLED)}
{printf("declared %g\\n", name_declared("INSTALLED"))}
if (!INSTALLED) install_lib()
{printf("INSTALLED %g\\n", INSTALLED)}
install_lib()
{printf("INSTALLED again %g\\n", INSTALLED)}
{printf("EXPS %.17g %.17g %.17g RES %.17g\\n", EXPS(1.5), EXPS(-3.25), EXPS(30), RES)}
LOOSE = 0.5
{printf("LOOSE %.17g code %d\\n", LOOSE, EXPS(25) == ERR)}
stim.del = 1
stim.dur = 5
stim.amp = 0.1 * EXPS(0.75)
soma.gnabar_hh = 0.12 * EXPS(-0.05)
tstop = 10
run()
{printf("after run v %.17g\\n", soma.v(0.5))}
"""


def _mod(tmp_path):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "veclib.mod").write_text(LIB)
    return mod


@pytest.mark.neuron
def test_library_with_verbatim_gives_its_globals_and_nmodl_functions_as_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + USE, mod_dir=_mod(tmp_path))
    assert any(ln.startswith("after run") for ln in theirs), theirs
    assert "INSTALLED again 2" in theirs
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


def test_what_needs_the_c_is_refused_where_called(tmp_path):
    hoc = HocSession(_mod(tmp_path), cwd=tmp_path)
    hoc("x = ERR\ninstall_lib()\nobjref vv\nvv = new Vector(3)")
    with pytest.raises(BridgeError, match=r"(?s)flor\(\) is a FUNCTION/PROCEDURE of the `SUFFIX nothing` library "
                                          r".*veclib\.mod.*veclib\.mod:55:3: unsupported: VERBATIM"):
        hoc("y = flor(2.5)")
    with pytest.raises(BridgeError, match=r"(?s)twoflor\(\) .*it calls flor\(\).*veclib\.mod:55:3"):
        hoc("y = twoflor(2.5)")
    with pytest.raises(BridgeError, match=r"Vector\.vsum\(\) is installed from C by the `SUFFIX nothing` library "
                                          r".*veclib\.mod \(install_vector_method in VERBATIM at .*veclib\.mod:31"):
        hoc("y = vv.vsum()")
    with pytest.raises(BridgeError, match=r"Vector\.nosuch\(\) is not supported by bridge"):
        hoc("y = vv.nosuch()")


def test_a_macro_naming_nmodl_code_keeps_the_library_refused(tmp_path):
    """`#define RES ...` in the C would change what the NMODL code compiles to: nothing of the file is used."""
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "veclib.mod").write_text(LIB.replace("#define SCALE_N 3", "#define SCALE_N 3\n#define RES res2"))
    hoc = HocSession(mod, cwd=tmp_path)
    with pytest.raises(BridgeError, match="(?s)EXPS.*VERBATIM"):
        hoc("y = EXPS(1)")


def test_install_only_blocks():
    from bridge.hoc.verbatim_library import install_only

    declared = {"INSTALLED", "RES"}
    assert install_only('install_vector_method("a", a);\nint i; for (i=0;i<3;i++) sc[i]=pow(2,i);', declared)
    assert not install_only('install_vector_method("a", a);\nRES = 1;', declared)  # an NMODL variable
    assert not install_only('install_vector_method("a", a);\n_linstall = 1;', declared)  # nocmodl's names
    assert not install_only('install_vector_method("a", a);\nhoc_execerror("x", 0);', declared)  # a call
    assert not install_only('install_vector_method("a", a);\nreturn 0;', declared)
    assert not install_only("int i; i = 2;", declared)  # installs nothing: ordinary C
