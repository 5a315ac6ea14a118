"""SOLVE methods no wheel density mechanism uses, against NEURON: derivimplicit, euler, runge, a
non-linear DERIVATIVE under cnexp (nocmodl falls back to derivimplicit), and a kinetic
channel with CONSERVE. Each is a variant of bridge's hh.mod written to tmp_path and
compiled for NEURON under its own SUFFIX."""

import re

import pytest

from bridge.nmodl.load import BUILTIN_DIR
from validation.single_mechanism import Protocol, validate_mod

pytestmark = pytest.mark.neuron
HH = (BUILTIN_DIR / "hh.mod").read_text()


def variant(tmp_path, suffix: str, text: str):
    path = tmp_path / f"{suffix}.mod"
    path.write_text(re.sub(r"SUFFIX hh\b", f"SUFFIX {suffix}", text))
    return path


@pytest.mark.parametrize("method,tol", [("derivimplicit", 1e-6), ("euler", 1e-9), ("runge", 1e-9)])
def test_hh_with_other_methods(tmp_path, method, tol):
    path = variant(tmp_path, f"hh{method[:4]}", HH.replace("METHOD cnexp", f"METHOD {method}"))
    result = validate_mod(path)
    assert result.status == "pass" and result.max_dv <= tol, result.line()


def test_cnexp_with_a_product_of_states_uses_nocmodls_derivative(tmp_path):
    # n*n has a symbolic derivative: nocmodl keeps cnexp with dF/dn in the exponent
    text = HH.replace("n' = (ninf - n)/ntau", "n' = (ninf - n)/ntau + 0*n*n")
    result = validate_mod(variant(tmp_path, "hhpr", text))
    assert result.methods == ("cnexp",)
    assert result.status == "pass", result.line()


def test_nonlinear_cnexp_falls_back_like_nocmodl(tmp_path):
    # n inside pow(): no symbolic derivative, nocmodl uses derivimplicit, and so must we
    text = HH.replace("n' = (ninf - n)/ntau", "n' = (ninf - n)/ntau - 0.01*pow(n, 2)")
    result = validate_mod(variant(tmp_path, "hhnl", text))
    assert result.methods == ("derivimplicit",)
    assert result.status == "pass", result.line()


KINETIC_K = """
NEURON {
    SUFFIX kchan
    USEION k READ ek WRITE ik
    RANGE gbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gbar = 0.036 (S/cm2) }
STATE { C1 C2 O }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) a (/ms) b (/ms) }
BREAKPOINT {
    SOLVE scheme METHOD sparse
    ik = gbar*O*(v - ek)
}
INITIAL { SOLVE scheme STEADYSTATE sparse }
KINETIC scheme {
    rates(v)
    ~ C1 <-> C2 (2*a, b)
    ~ C2 <-> O (a, 2*b)
    CONSERVE C1 + C2 + O = 1
}
PROCEDURE rates(v (mV)) {
    a = 0.01*(v + 55)/(1 - exp(-(v + 55)/10))
    b = 0.125*exp(-(v + 65)/80)
}
"""


def test_kinetic_channel_with_conserve_and_steady_state(tmp_path):
    path = tmp_path / "kchan.mod"
    path.write_text(KINETIC_K)
    result = validate_mod(path)
    assert result.methods == ("sparse", "steadystate_sparse")
    assert result.status == "pass", result.line()


TABLE_SIDE_EFFECT = """
NEURON {
    SUFFIX kside
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL tadj
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { gbar = 0.01 (S/cm2) q10 = 2.3 }
STATE { n }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf ntau (ms) tadj celsius (degC) }
INITIAL { trates(v)  n = ninf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = tadj*gbar*n*(v - ek)
}
DERIVATIVE states { trates(v)  n' = (ninf - n)/ntau }
PROCEDURE trates(v (mV)) {
    LOCAL a, b
    TABLE ninf, ntau DEPEND celsius FROM -100 TO 100 WITH 199
    tadj = q10^((celsius - 23)/10)   : set only while NEURON builds the table
    a = 0.01*(v + 30)/(1 - exp(-(v + 30)/9))
    b = -0.01*(v + 30)/(1 - exp((v + 30)/9))
    ntau = 1/tadj/(a + b)
    ninf = a/(a + b)
}
"""


def test_global_set_while_building_a_table_keeps_its_value(tmp_path):
    # NEURON: with the table on, trates() never runs again after the table is built, so tadj keeps
    # the value of the last table point (a common pattern in published models, e.g. km.mod)
    path = tmp_path / "kside.mod"
    path.write_text(TABLE_SIDE_EFFECT)
    result = validate_mod(path)
    assert result.status == "pass", result.line()


@pytest.mark.parametrize("method", ["derivimplicit", "sparse", "runge"])
def test_secondorder_takes_half_steps_and_extrapolates_like_nrn_state(tmp_path, method):
    # NEURON's nrn_state with secondorder > 0: derivimplicit, sparse and runge SOLVEs step dt/2, then x += dt*x'
    if method == "runge":
        path = variant(tmp_path, "hhrk2", HH.replace("METHOD cnexp", "METHOD runge"))
    elif method == "sparse":
        path = tmp_path / "kchan2.mod"
        path.write_text(KINETIC_K.replace("SUFFIX kchan", "SUFFIX kchan2"))
    else:
        path = variant(tmp_path, "hhdi2", HH.replace("METHOD cnexp", "METHOD derivimplicit"))
    result = validate_mod(path, protocols=(Protocol("depolarising, secondorder 2", 0.1, 6.3, secondorder=2),))
    assert result.status == "pass", result.line()
