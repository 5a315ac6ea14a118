"""nocmodl's vectorize decision (bridge.nmodl.analysis.vectorize) against NEURON 9.0.2's own nocmodl.

Each .mod text below is ours: one construct that keeps or clears nocmodl's `vectorize`. nocmodl translates it
and the generated C says `_vectorized = 0|1`; bridge's `vectorized()` must say the same. A file nocmodl does
not vectorize has no per-step TABLE check (no `_nrn_thread_table_reg(_mechtype, ...)`), and `_check_<f>()`
is the first call inside `<f>()`: bridge checks such a TABLE only where code calls `<f>` (`table_moments`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bridge.limits import DEFAULT_LIMITS
from bridge.nmodl.analysis.vectorize import table_moments, vectorized
from bridge.nmodl.load import _expanded
from bridge.nmodl.syntax import ast

HEAD = """NEURON {
    SUFFIX %(name)s
    NONSPECIFIC_CURRENT i
    RANGE gbar, minf, mtau, mexp
    GLOBAL q10 %(globals)s
    %(neuron)s
}
PARAMETER { gbar = 0.001 (S/cm2) q10 = 3 q11 = 2 }
ASSIGNED { v (mV) i (mA/cm2) minf mtau (ms) mexp tadj dt (ms) celsius (degC) %(assigned)s }
STATE { m %(states)s }
INITIAL {
    %(initial)s
    trates(v)
    m = minf
}
BREAKPOINT {
    SOLVE states METHOD %(method)s
    i = gbar*m*(v + 70)
}
DERIVATIVE states { m' = (minf - m)/5 }
PROCEDURE trates(v (mV)) {
    TABLE minf, mexp DEPEND dt, celsius FROM -100 TO 100 WITH 200
    mtau = 1 + exp(-v/20)
    minf = 1/(1 + exp(-(v + 40)/5))
    mexp = 1 - exp(-dt/mtau)
    %(trates)s
}
%(extra)s
"""

VERBATIM = "VERBATIM\n    return 0;\n    ENDVERBATIM"

# (name, fields, nocmodl's vectorize as its generated C says)
CASES = {
    "plain": ({}, 1),
    "global_assigned": ({"globals": ", tadj", "initial": "tadj = 2"}, 0),
    "global_assigned_threadsafe": ({"globals": ", tadj", "neuron": "THREADSAFE", "initial": "tadj = 2"}, 1),
    "global_protected": ({"globals": ", tadj", "initial": "PROTECT tadj = 2"}, 1),
    "global_local_shadow": ({"globals": ", tadj", "initial": "LOCAL tadj\n    tadj = 2"}, 1),
    "parameter_assigned": ({"initial": "q11 = 3"}, 1),  # GLOBAL by default only: nocmodl marks it later
    "verbatim": ({"trates": VERBATIM}, 0),
    "verbatim_threadsafe": ({"trates": VERBATIM, "neuron": "THREADSAFE"}, 1),
    "pointer": ({"neuron": "POINTER pp", "assigned": "pp"}, 0),
    "pointer_threadsafe": ({"neuron": "THREADSAFE\n    POINTER pp", "assigned": "pp"}, 1),
    "normrand": ({"initial": "tadj = normrand(0, 1)"}, 0),
    "runge": ({"method": "runge"}, 0),
    "runge_threadsafe": ({"method": "runge", "neuron": "THREADSAFE"}, 0),
    "euler": ({"method": "euler"}, 1),
    "linear_solve": ({"initial": "SOLVE lin", "states": "x", "extra": "LINEAR lin { ~ x = 2 }"}, 0),
}


def _text(name: str, fields: dict) -> str:
    base = {"name": f"vz_{name}", "states": "", "globals": "", "neuron": "", "assigned": "", "initial": "",
            "method": "cnexp", "trates": "", "extra": ""}
    return HEAD % {**base, **fields}


def _program(text: str) -> ast.Program:
    return _expanded(text, "<string>", None, DEFAULT_LIMITS)


def _nocmodl() -> Path:
    import neuron

    path = Path(neuron.__file__).parent / ".data" / "bin" / "nocmodl"
    if not path.exists():
        pytest.skip("NEURON's nocmodl is not installed")
    return path


@pytest.mark.neuron
@pytest.mark.parametrize("case", sorted(CASES))
def test_vectorized_as_nocmodl(tmp_path, case):
    """bridge's decision is the generated C's `_vectorized`, and each case's expected value is what nocmodl
    gives (so the list documents the rule); a file not vectorized registers no per-step TABLE check."""
    fields, want = CASES[case]
    mod = tmp_path / f"vz_{case}.mod"
    mod.write_text(_text(case, fields))
    subprocess.run([str(_nocmodl()), str(mod), "-o", str(tmp_path)], check=True, capture_output=True,
                   cwd=tmp_path, timeout=120)
    c = (tmp_path / f"vz_{case}.cpp").read_text()
    theirs = int(re.search(r"_vectorized = ([01])", c).group(1))  # type: ignore[union-attr]
    assert theirs == want, c[:400]
    assert vectorized(_program(mod.read_text())) == bool(theirs)
    assert ("_nrn_thread_table_reg(_mechtype" in c) == bool(theirs)
    if not theirs:  # the check is the first statement of trates() only
        calls = [ln for ln in c.splitlines() if "_check_trates(" in ln and "static void" not in ln]
        assert len(calls) == 1 and re.search(r"trates\(double _lv\)\s*\{\s*_check_trates\(\);", c), calls


def test_table_moments_follow_the_calls():
    """Not vectorized: a TABLE only INITIAL reaches is checked at finitialize only; one BREAKPOINT's SOLVEd
    block reaches at each step too; one the currents reach at fcurrent as well. Vectorized: everywhere."""
    def moments(text):
        program = _program(text)
        return table_moments(program, ("trates",), vectorized(program))["trates"]

    text = _text("x", {"globals": ", tadj", "initial": "tadj = 2"})
    assert moments(text) == {"init"}
    assert moments(_text("x", {"globals": ", tadj", "initial": "s2()",
                               "extra": "PROCEDURE s2() { trates(v) tadj = 1 }"})) == {"init"}
    text = text.replace("DERIVATIVE states { m' = (minf - m)/5 }", "DERIVATIVE states { trates(v) m' = (minf - m)/5 }")
    assert moments(text) == {"init", "step"}
    text = text.replace("i = gbar*m*(v + 70)", "trates(v)\n    i = gbar*m*(v + 70)")
    assert moments(text) == {"init", "step", "current"}
    assert moments(_text("x", {})) == {"init", "step", "current"}
