"""Semantic analysis: symbol table, RANGE/GLOBAL, ions, currents, and the errors nocmodl would give."""

import pytest

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl.load import BUILTIN_DIR, analyze_text
from tests.nmodl._corpus import neuron_share


def info_of(text: str, name: str = "t.mod"):
    return analyze_text(text, name)


def builtin(name: str):
    path = BUILTIN_DIR / name
    return analyze_text(path.read_text(), str(path))


def test_hh_symbols_ions_and_currents():
    hh = builtin("hh.mod")
    assert hh.name == "hh" and hh.kind == "density"
    assert hh.range_parameters == {"gnabar": 0.12, "gkbar": 0.036, "gl": 0.0003, "el": -54.3}
    assert hh.global_parameters == {"usetable_hh": 1.0}  # a TABLE makes usetable_<suffix>
    assert hh.states == ("m", "h", "n")
    assert hh.ion_reads == ("ena", "ek") and hh.ion_writes == ("ina", "ik")
    assert hh.ion_currents == ("ina", "ik") and hh.nonspecific_currents == ("il",)
    assert [u.ion for u in hh.ions] == ["na", "k"]
    assert set(hh.tables) == {"rates"}
    assert [s.method for s in hh.breakpoint_solves] == ["cnexp"]
    kept = hh.kept
    assert {"gna", "gk", "minf", "mtau", "ina", "il"} <= set(kept)  # recordable ASSIGNED range variables


def test_iclamp_is_an_electrode_current_point_process():
    st = builtin("stim.mod")
    assert st.kind == "point" and st.electrode_currents == ("i",)
    assert st.range_parameters == {"del": 0.0, "dur": 0.0, "amp": 0.0}


def test_parameter_is_global_unless_range_and_state_start_value():
    info = info_of("""
NEURON { SUFFIX t RANGE a }
PARAMETER { a = 1  b = 2  x0 = 0.25 }
STATE { x }
BREAKPOINT { SOLVE d METHOD cnexp }
DERIVATIVE d { x' = -a*x + b }
""")
    assert info.range_parameters == {"a": 1.0}
    assert info.global_parameters == {"b": 2.0, "x0": 0.25}
    assert info.variables["x"].default == 0.25  # STATE x starts at PARAMETER x0


def test_units_constants_are_neurons_values():
    info = info_of("""
NEURON { SUFFIX t }
UNITS { FARADAY = (faraday) (coulomb)  R = (k-mole) (joule/degC)  (mM) = (milli/liter) }
""")
    assert info.constants["FARADAY"] == 96485.33212331001
    assert info.constants["R"] == 8.31446261815324


def _raises(cls, match: str, text: str, line: int):
    with pytest.raises(cls, match=match) as exc:
        info_of(text)
    assert exc.value.location.line == line and exc.value.location.filename == "t.mod"
    assert "^" in str(exc.value)  # the source line with a caret


def test_undefined_variable_is_located():
    _raises(SemanticError, "undefined variable 'gbar'", """NEURON { SUFFIX t NONSPECIFIC_CURRENT i }
ASSIGNED { i v }
BREAKPOINT {
    i = gbar*v
}""", 4)


def test_undeclared_range_names_and_currents_are_declared_as_nocmodl_does():
    info = info_of("""NEURON { SUFFIX t NONSPECIFIC_CURRENT il RANGE g, gshown USEION hh READ ehh }
PARAMETER { g = 1 }
ASSIGNED { v ehh }
BREAKPOINT { gshown = g  il = g*(v - ehh) }""")
    assert {"il", "gshown"} <= set(info.kept)
    assert info.ions[0].ion == "hh" and info.ions[0].valence is None  # nocmodl accepts a new ion without VALENCE


def test_function_used_as_variable():
    _raises(SemanticError, "both as a variable and as a function", """NEURON { SUFFIX t }
ASSIGNED { f }
FUNCTION f(x) { f = x }""", 3)


def test_assigning_a_constant_is_refused_a_parameter_is_kept():
    # nocmodl accepts it and keeps the new value as a mutable global: bridge refuses, never a wrong number
    _raises(UnsupportedFeature, "CONSTANT", """NEURON { SUFFIX t }
CONSTANT { c = 2 }
INITIAL { c = 3 }""", 3)
    # a GLOBAL PARAMETER that code assigns is kept (tests/nmodl/test_shared_globals.py)
    info = info_of("""NEURON { SUFFIX t }
PARAMETER { g = 1 }
INITIAL { g = 2 }""")
    assert info.assigned_global_parameters == ("g",) and "g" in info.kept
    # a RANGE PARAMETER that code assigns is carried as state (Exp2Syn's tau1)
    info = info_of("""NEURON { SUFFIX t RANGE g }
PARAMETER { g = 1 }
INITIAL { g = 2 }""")
    assert info.assigned_parameters == ("g",) and "g" in info.kept


def test_recursion_is_refused():
    _raises(UnsupportedFeature, "recursion", """NEURON { SUFFIX t }
FUNCTION f(x) { f = g(x) }
FUNCTION g(x) { g = f(x) }""", 2)


def test_verbatim_with_code_is_unsupported_but_comment_only_is_accepted():
    # C outside the subset bridge translates (tests/nmodl/test_verbatim_c.py): refused at the construct
    _raises(UnsupportedFeature, "VERBATIM", """NEURON { SUFFIX t }
INITIAL {
VERBATIM
  int *i;
ENDVERBATIM
}""", 4)
    info_of("""NEURON { SUFFIX t }
VERBATIM
/* nothing to run */
ENDVERBATIM
""")


def test_verbatim_return_0_ending_a_procedure_is_accepted_elsewhere_refused():
    # the C function of a PROCEDURE returns 0 at its end anyway: the block changes nothing
    info_of("""NEURON { SUFFIX t }
ASSIGNED { x }
PROCEDURE p() {
    x = 1
    VERBATIM
    return 0; /* done */
    ENDVERBATIM
}""")
    info_of("""NEURON { SUFFIX t }
ASSIGNED { x }
PROCEDURE p() {
    IF (x > 0) { VERBATIM return 0; ENDVERBATIM }
}""")  # closing the PROCEDURE's last IF: nothing follows either
    # mid-body it skips what follows; in a FUNCTION it replaces the value; other values differ (INITIAL calls
    # them: C that only HOC calls is refused when called, bridge.nmodl.analysis.verbatim)
    for body, line in [("VERBATIM return 0; ENDVERBATIM\n    x = 1", 4),
                       ("IF (x > 0) { VERBATIM return 0; ENDVERBATIM }\n    x = 1", 4),
                       ("x = 1\n    VERBATIM return 1; ENDVERBATIM", 5)]:
        _raises(UnsupportedFeature, "VERBATIM", f"""NEURON {{ SUFFIX t }}
ASSIGNED {{ x }}
PROCEDURE p() {{
    {body}
}}
INITIAL {{ p() }}""", line)
    _raises(UnsupportedFeature, "VERBATIM", """NEURON { SUFFIX t }
FUNCTION f() {
    f = 2
    VERBATIM return 0; ENDVERBATIM
}
INITIAL { LOCAL y
    y = f() }""", 4)


def test_random_and_looped_moves_are_unsupported():
    # FUNCTION_TABLE is supported (tests/validation/test_function_table.py)
    _raises(UnsupportedFeature, "random-number function unirand", """NEURON { SUFFIX t }
ASSIGNED { x }
INITIAL { x = unirand() }""", 3)  # normrand runs (runtime.scoprandom); NEURON 9 has no unirand
    # a reset of v from a POINT_PROCESS's NET_RECEIVE runs (tests/solver/test_events_vreset.py); an ARTIFICIAL_CELL
    # has no node, and in a PROCEDURE v is not the node's: refused
    _raises(UnsupportedFeature, "assigning v in an ARTIFICIAL_CELL", """NEURON { ARTIFICIAL_CELL R }
PARAMETER { vreset = -70 }
ASSIGNED { v }
NET_RECEIVE(w) { v = vreset }""", 4)
    _raises(UnsupportedFeature, "assigning v in a FUNCTION, PROCEDURE or INITIAL", """NEURON { POINT_PROCESS R }
ASSIGNED { v }
PROCEDURE reset() { v = -70 }
NET_RECEIVE(w) { reset() }""", 3)
    # net_send, net_event, net_move and ARTIFICIAL_CELL run (tests/solver/test_events_*.py); in a loop, refused
    _raises(UnsupportedFeature, "net_move.. inside a FROM loop", """NEURON { POINT_PROCESS P }
NET_RECEIVE(w) { LOCAL k
FROM k = 1 TO 2 { net_move(t + k) } }""", 3)


def test_solve_of_missing_block():
    _raises(SemanticError, "SOLVE nothere", """NEURON { SUFFIX t }
BREAKPOINT { SOLVE nothere METHOD cnexp }""", 2)


@pytest.mark.skipif(neuron_share() is None, reason="NEURON wheel not installed")
def test_wheel_calcium_pump_writes_and_reads_ion():
    path = neuron_share() / "nrn" / "demo" / "release" / "capmpr.mod"
    info = analyze_text(path.read_text(), str(path))
    assert info.ion_reads == ("cao", "cai")  # written concentrations are loaded too
    assert info.ion_writes == ("cai", "ica")
    assert info.states == ("pump", "pumpca")  # cai is the ion's, integrated here
    assert info.uses_geometry == ("diam",)
    assert [s.method for s in info.breakpoint_solves] == ["sparse"]


def test_parameter_defaults_are_rounded_like_nocmodls_printf():
    # nocmodl writes PARAMETER defaults with %g, so NEURON's default has 6 significant digits;
    # CONSTANTs keep their text
    info = info_of("""NEURON { SUFFIX t RANGE r GLOBAL g }
PARAMETER { r = 15.87301587302 g = 123456789 }
CONSTANT { c = 1.23456789 }""")
    assert info.range_parameters == {"r": 15.873} and info.global_parameters == {"g": 123457000.0}
    assert info.constants["c"] == 1.23456789
