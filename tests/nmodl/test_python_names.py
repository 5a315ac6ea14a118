"""NMODL names that are Python keywords, builtins or the generated module's own names translate
correctly: a mechanism using them matches NEURON's trace."""

from __future__ import annotations

import keyword

import pytest

from bridge.nmodl.codegen import pytext
from bridge.nmodl.load import translate

# FUNCTIONs and PROCEDUREs named like the module's own functions (breakpoint, initial, advance, s),
# builtins it calls (dict, range, len, globals), its imports (jnp, rt), Python keywords and soft
# keywords (None, def, lambda, match), and `s` next to `s_` (they must not meet as Python names).
PYNAMES = """
NEURON { SUFFIX pyname RANGE gbar NONSPECIFIC_CURRENT i }
PARAMETER { gbar = 0.002 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) minf mtau }
STATE { m }
INITIAL { jnp(v) m = minf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*breakpoint(v, 2)*(v + 70)
}
DERIVATIVE states {
    jnp(v)
    m' = (minf - m)/mtau
}
FUNCTION dict(s) { dict = 1/(1 + exp(-(s + 40)/5)) }
FUNCTION breakpoint(l, range) { breakpoint = l*0 + range*0.5 }
PROCEDURE jnp(def) {
    LOCAL lambda, rt
    lambda = dict(def)
    rt = s(def) + s_(def) + None(2) + globals(1) + initial(1) + match(1) + len(0)
    minf = lambda
    mtau = rt
}
FUNCTION None(x) { None = x }
FUNCTION s(x) { s = 1 + 0*x }
FUNCTION s_(x) { s_ = 2 + 0*x }
FUNCTION globals(exec) { globals = exec }
FUNCTION initial(len) { initial = len + advance(len) }
FUNCTION advance(x) { advance = x*0 }
FUNCTION match(dict) { match = dict*0 }
FUNCTION len(x) { len = x }
"""


def test_python_names_are_never_keywords_builtins_or_the_modules_own():
    for name in ["s", "l", "rt", "jnp", "dict", "range", "breakpoint", "initial", "None", "def", "match",
                 "type", "MECHANISM", "globals", "exec"]:
        py = pytext.identifier(name)
        assert py != name and not keyword.iskeyword(py) and not keyword.issoftkeyword(py)
    assert pytext.identifier("rates") == "rates"
    assert len({pytext.identifier(n) for n in ["s", "s_", "s__", "dict", "dict_"]}) == 5  # one to one
    assert pytext.argument("rates", {"rates"}) == "_arg_rates" and pytext.argument("x", set()) == "x"


def test_a_mechanism_with_such_names_translates_to_valid_python():
    src = translate(PYNAMES, "pyname.mod")
    compile(src, "pyname", "exec")
    assert "def breakpoint_(s, _arg_l, _arg_range):" in src and "def s_(s, x):" in src and "def s__(s, x):" in src


@pytest.mark.neuron
def test_a_mechanism_with_such_names_matches_neuron(tmp_path):
    from validation.single_mechanism import validate_mod

    path = tmp_path / "pyname.mod"
    path.write_text(PYNAMES)
    result = validate_mod(path)
    assert result.status == "pass", result.line()
