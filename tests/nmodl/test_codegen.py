"""Code generation: the generated Python, and what it computes, checked against closed forms."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.cli import main as cli_main
from bridge.mechanisms.protocol import Env
from bridge.nmodl.load import BUILTIN_DIR, load_text, translate

jax.config.update("jax_enable_x64", True)


def env(dt=0.025, celsius=6.3, mech=None, **globals_):
    e = Env(t=0.0, dt=dt, celsius=celsius, globals=globals_)
    if mech is not None:
        e = Env(t=0.0, dt=dt, celsius=celsius, globals=globals_, tables=mech.prepare(e))
    return e


def test_hh_source_is_commented_with_mod_lines_and_uses_nocmodls_cnexp_form():
    src = translate((BUILTIN_DIR / "hh.mod").read_text(), "hh.mod")
    assert "# hh.mod:" in src
    # nocmodl: m = m + (1. - exp(dt*((-1.0)/mtau)))*(-((minf)/mtau)/((-1.0)/mtau) - m)
    assert ("s['m'] = s['m'] + (1.0 - rt.exp(s['dt'] * ((-1.0) / s['mtau']))) * "
            "(-(s['minf'] / s['mtau']) / ((-1.0) / s['mtau']) - s['m'])") in src
    compile(src, "hh", "exec")


def test_cli_translate_writes_a_file(tmp_path, capsys):
    out = tmp_path / "pas.py"
    assert cli_main(["translate", str(BUILTIN_DIR / "pas.mod"), "-o", str(out)]) == 0
    assert "MECHANISM = TranslatedMechanism.from_module(globals())" in out.read_text()
    assert cli_main(["translate", str(tmp_path / "missing.mod")]) == 1


SAFE_IF = """
NEURON { SUFFIX safe NONSPECIFIC_CURRENT i RANGE g }
PARAMETER { g = 1 }
ASSIGNED { v i }
BREAKPOINT { i = g*efun(v + 40) }
FUNCTION efun(x) {
    if (fabs(x) < 1e-4) {
        efun = 1 - x/2
    } else {
        efun = x/(exp(x) - 1)
    }
}
"""


def test_if_branches_do_not_leak_nan_into_gradients():
    m = load_text(SAFE_IF, "safe.mod")
    e = env()

    def current(v):
        return m.current({"g": 1.0}, {}, v, {}, e)[0].sum()

    v = jnp.array([-40.0, -30.0])  # x = 0 exactly: the untaken branch is 0/0 there
    value = current(v)
    grad = jax.grad(current)(v)
    assert np.isfinite(grad).all()
    assert float(value) == pytest.approx(1.0 + 10 / (math.exp(10) - 1))
    assert float(grad[0]) == pytest.approx(-0.5)


NONLINEAR = """
NEURON { SUFFIX nl RANGE k }
PARAMETER { k = 2 }
STATE { x }
INITIAL { x = 1 }
BREAKPOINT { SOLVE d METHOD cnexp }
DERIVATIVE d { x' = -k*pow(x, 2) }
"""


def test_cnexp_of_a_product_of_states_uses_nocmodls_derivative_form():
    # nocmodl: x' = -k*x*x has a derivative but no linear split: x = x + (1 - exp(dt*F'(x)))*(-x)
    m = load_text(NONLINEAR.replace("-k*pow(x, 2)", "-k*x*x"), "prod.mod")
    assert "derivimplicit" not in translate(NONLINEAR.replace("-k*pow(x, 2)", "-k*x*x"), "prod.mod")
    e = env(dt=0.1)
    st, _ = m.init({"k": 2.0}, {}, jnp.zeros(1), {}, e)
    st, _ = m.advance({"k": 2.0}, st, jnp.zeros(1), {}, e)
    assert float(st["x"][0]) == pytest.approx(1.0 + (1.0 - math.exp(0.1 * (-4.0))) * (-1.0), rel=1e-15)


def test_nonlinear_cnexp_falls_back_to_derivimplicit_backward_euler():
    # x inside pow(): nocmodl cannot differentiate it and uses derivimplicit
    src = translate(NONLINEAR, "nl.mod")
    assert "derivimplicit" in src
    m = load_text(NONLINEAR, "nl.mod")
    dt = 0.1
    e = env(dt=dt)
    st, _ = m.init({"k": 2.0}, {}, jnp.zeros(1), {}, e)
    st, _ = m.advance({"k": 2.0}, st, jnp.zeros(1), {}, e)
    # backward Euler: x = 1 - dt*k*x^2  ->  positive root
    exact = (-1 + math.sqrt(1 + 4 * dt * 2.0)) / (2 * dt * 2.0)
    assert float(st["x"][0]) == pytest.approx(exact, abs=1e-10)


def test_euler_is_forward_euler():
    text = NONLINEAR.replace("cnexp", "euler").replace("-k*pow(x, 2)", "-k*x")
    m = load_text(text, "eu.mod")
    e = env(dt=0.1)
    st, _ = m.init({"k": 2.0}, {}, jnp.zeros(1), {}, e)
    st, _ = m.advance({"k": 2.0}, st, jnp.zeros(1), {}, e)
    assert float(st["x"][0]) == 1.0 + 0.1 * (-2.0)


TABLED = """
NEURON { SUFFIX tab RANGE y }
ASSIGNED { v y }
BREAKPOINT { y = sq(v) }
FUNCTION sq(x) {
    TABLE FROM 0 TO 10 WITH 10
    sq = x*x
}
"""


def test_function_table_interpolates_and_clamps_like_nocmodl():
    m = load_text(TABLED, "tab.mod")
    v = jnp.array([2.5, -3.0, 12.0, 10.0, 0.0, jnp.nan])
    e = env(mech=m)
    st, _ = m.advance({}, {}, v, {}, e)  # no current written: BREAKPOINT runs after the SOLVEs (nrn_state)
    y = np.asarray(st["y"])
    assert y[0] == 4.0 + 0.5 * (9.0 - 4.0)  # between entries 2 and 3
    assert y[1] == 0.0 and y[2] == 100.0 and y[3] == 100.0 and y[4] == 0.0  # clamped to the ends
    assert np.isnan(y[5])
    off = env(mech=m, usetable_tab=0.0)  # usetable off: the direct function
    st, _ = m.advance({}, {}, v, {}, Env(t=0.0, dt=0.025, celsius=6.3, globals={"usetable_tab": 0.0},
                                         tables=off.tables))
    assert float(st["y"][0]) == 6.25


LOOPS = """
NEURON { SUFFIX loops RANGE total, steps }
ASSIGNED { v total steps }
INITIAL { LOCAL i, x
    total = 0
    FROM i = 1 TO 4 { total = total + i }
    x = v
    steps = 0
    WHILE (x > 1) { x = x/2  steps = steps + 1 }
}
"""


def test_from_and_while_loops():
    m = load_text(LOOPS, "loops.mod")
    st, _ = m.init({}, {}, jnp.array([1.0, 8.0, 9.0]), {}, env())
    assert np.asarray(st["total"]).tolist() == [10.0, 10.0, 10.0]
    assert np.asarray(st["steps"]).tolist() == [0.0, 3.0, 4.0]


def test_while_whose_first_condition_is_known_runs_traced_under_jit():
    # `dx = 1` makes the first test of the condition a constant; under jit the later ones are traced (the
    # loop must then become a lax.while_loop, not unroll to Limits.max_loop_iterations): IntFire2's newton1
    m = load_text("""NEURON { SUFFIX nw RANGE a, x }
PARAMETER { a = 2 }
ASSIGNED { x }
INITIAL { LOCAL dx
    x = 1  dx = 1
    WHILE (fabs(dx) > 1e-12) { dx = (a/x - x)/2  x = x + dx }
}
""", "nw.mod")
    st = jax.jit(lambda a: m.init({"a": a}, {}, jnp.zeros(2), {}, env())[0])(jnp.array([2.0, 9.0]))
    assert np.asarray(st["x"]) == pytest.approx([2 ** 0.5, 3.0], abs=1e-12)


KINETIC = """
NEURON { SUFFIX kin RANGE kf, kb }
PARAMETER { kf = 3 kb = 1 }
STATE { A B }
INITIAL { A = 1 B = 0 }
BREAKPOINT { SOLVE scheme METHOD sparse }
KINETIC scheme {
    ~ A <-> B (kf, kb)
    CONSERVE A + B = 1
}
"""


def test_linear_kinetic_scheme_is_one_backward_euler_step():
    m = load_text(KINETIC, "kin.mod")
    dt = 0.1
    e = env(dt=dt)
    st, _ = m.init({"kf": 3.0, "kb": 1.0}, {}, jnp.zeros(1), {}, e)
    st, _ = m.advance({"kf": 3.0, "kb": 1.0}, st, jnp.zeros(1), {}, e)
    # backward Euler on A' = -3A + B with A + B = 1: A1 = (A0 + dt)/(1 + 4 dt)
    assert float(st["A"][0]) == pytest.approx((1 + dt) / (1 + 4 * dt), abs=1e-14)
    assert float(st["A"][0] + st["B"][0]) == pytest.approx(1.0, abs=1e-14)


EQUATIONS = """
NEURON { SUFFIX eqs RANGE a }
PARAMETER { a = 3 }
STATE { x y z }
INITIAL {
    z = 1
    SOLVE lin
    SOLVE root
}
LINEAR lin SOLVEFOR x, y {
    ~ x + y = a
    ~ x - y = 1
}
NONLINEAR root SOLVEFOR z {
    ~ z*z = a - 1
}
"""


def test_linear_and_nonlinear_blocks_solve_their_equations():
    m = load_text(EQUATIONS, "eqs.mod")
    st, _ = m.init({"a": jnp.array([3.0, 5.0])}, {}, jnp.zeros(2), {}, env())
    assert np.asarray(st["x"]) == pytest.approx([2.0, 3.0], abs=1e-14)
    assert np.asarray(st["y"]) == pytest.approx([1.0, 2.0], abs=1e-14)
    # Newton (NEURON's: numerical Jacobian, stops at |F| <= 1e-8)
    assert np.asarray(st["z"]) == pytest.approx([math.sqrt(2.0), 2.0], abs=1e-9)


def test_equation_count_must_match_unknowns():
    from bridge.errors import SemanticError

    text = EQUATIONS.replace("    ~ x - y = 1\n", "")
    with pytest.raises(SemanticError, match="1 equations for 2 unknowns"):
        load_text(text, "eqs2.mod")


def test_power_in_a_cnexp_equation_is_refused_as_nocmodl_does():
    from bridge.errors import SemanticError

    with pytest.raises(SemanticError, match="nocmodl aborts") as exc:
        load_text(NONLINEAR.replace("-k*pow(x, 2)", "-k*x^2"), "pw.mod")
    assert exc.value.location.line == 7


def test_nmodl_names_that_are_python_keywords_or_generated_names():
    m = load_text("""
NEURON { SUFFIX nm RANGE r }
ASSIGNED { v r }
INITIAL { r = advance(2) + NAME(1) + lambda(3, 4) }
FUNCTION advance(del) { advance = del*2 }
FUNCTION NAME(x) { NAME = x }
FUNCTION lambda(s, l) { lambda = s - l }
""", "nm.mod")
    st, _ = m.init({}, {}, jnp.zeros(1), {}, env())
    assert float(st["r"][0]) == 4.0 and m.name == "nm"


def test_net_receive_is_translated_for_the_solvers_events():
    from tests.nmodl._corpus import neuron_share

    if neuron_share() is None:
        pytest.skip("NEURON wheel not installed")
    from bridge.nmodl.load import load_mod

    syn = load_mod(neuron_share() / "modfile" / "exp2syn.mod")
    assert syn.kind == "point" and syn.receives_events and syn.net_receive_args == ("weight",)
    e = env(dt=0.025)
    p = {"tau1": 0.5, "tau2": 2.0, "e": 0.0}
    v = jnp.full(1, -65.0)
    st, _ = syn.init(p, {}, v, {}, e)
    st, args = syn.net_receive(p, st, v, {}, e, (0.01,))
    assert args == (0.01,)
    peak = 0.0
    for _ in range(400):
        st, _ = syn.advance(p, st, v, {}, e)
        peak = max(peak, float(st["B"][0] - st["A"][0]))
    # Exp2Syn normalises its conductance so that one event of weight w peaks at w [uS]
    assert peak == pytest.approx(0.01, rel=1e-3) and peak <= 0.01
    # tau1 >= tau2: NEURON's INITIAL changes tau1 to 0.9999*tau2, and the kept value is used afterwards
    st, _ = syn.init({**p, "tau1": 3.0}, {}, v, {}, e)
    assert float(st["tau1"][0]) == 0.9999 * 2.0


def test_several_initial_blocks_run_in_file_order():
    m = load_text("""
NEURON { SUFFIX two RANGE a, b }
ASSIGNED { v a b }
INITIAL { a = 1 }
INITIAL { b = a + 1 }
""", "two.mod")
    st, _ = m.init({}, {}, jnp.zeros(1), {}, env())
    assert float(st["a"][0]) == 1.0 and float(st["b"][0]) == 2.0


def test_table_of_array_variables():
    m = load_text("""
NEURON { SUFFIX tarr RANGE y0, y1 }
ASSIGNED { v inf[2] y0 y1 }
BREAKPOINT { rates(v)  y0 = inf[0]  y1 = inf[1] }
PROCEDURE rates(x) { LOCAL i
    TABLE inf FROM 0 TO 10 WITH 10
    FROM i = 0 TO 1 { inf[i] = x*x + i }
}
""", "tarr.mod")
    e = env(mech=m)
    st, _ = m.advance({}, {}, jnp.array([2.5, 20.0]), {}, e)
    assert np.asarray(st["y0"]).tolist() == [6.5, 100.0]  # interpolated between 4 and 9; clamped
    assert np.asarray(st["y1"]).tolist() == [7.5, 101.0]


def test_arguments_named_like_functions_do_not_hide_them():
    # seen in published files: FUNCTION ssPV(kdc(), kdm()) has arguments named like FUNCTIONs
    m = load_text("""
NEURON { SUFFIX shadow RANGE r }
ASSIGNED { v r }
INITIAL { r = ss(kd(), 5) }
FUNCTION kd() { kd = 2 }
FUNCTION ss(kd(), x) { ss = x/(1 + kd()) }
""", "shadow.mod")
    st, _ = m.init({}, {}, jnp.zeros(1), {}, env())
    assert float(st["r"][0]) == 5.0 / 3.0


def test_a_state_listed_twice_in_compartment_is_scaled_once():
    one = KINETIC.replace("KINETIC scheme {", "KINETIC scheme {\n    COMPARTMENT 2 {A B}")
    two = KINETIC.replace("KINETIC scheme {", "KINETIC scheme {\n    COMPARTMENT 2 {A B A}")
    scaled = "l['_rhs_A'] = l['_rhs_A'] * (2.0)"
    assert translate(one, "k1.mod").count(scaled) == translate(two, "k2.mod").count(scaled) == 1


def test_net_receive_arguments_and_its_initial_block():
    m = load_text("""
NEURON { POINT_PROCESS Syn NONSPECIFIC_CURRENT i }
PARAMETER { tau = 2 }
ASSIGNED { v i }
STATE { g }
BREAKPOINT { SOLVE st METHOD cnexp  i = g*v }
DERIVATIVE st { g' = -g/tau }
NET_RECEIVE(w, tlast) {
    INITIAL { tlast = -1 }
    g = g + w
    tlast = t
}
""", "syn.mod")
    e = Env(t=1.5, dt=0.025, celsius=6.3)
    v = jnp.zeros(1)
    st, _ = m.init({}, {}, v, {}, e)
    assert m.net_receive_initial({}, st, v, {}, e, (0.5, 7.0)) == (0.5, -1.0)
    st, args = m.net_receive({}, st, v, {}, e, (0.5, -1.0))
    assert float(st["g"][0]) == 0.5 and args[1] == 1.5


def test_state_discontinuity_is_an_assignment():
    m = load_text("""
NEURON { POINT_PROCESS Syn2 NONSPECIFIC_CURRENT i }
ASSIGNED { v i }
STATE { g }
BREAKPOINT { i = g*v }
NET_RECEIVE(w) { state_discontinuity(g, g + w) }
""", "syn2.mod")
    st, _ = m.init({}, {}, jnp.zeros(1), {}, env())
    st, _ = m.net_receive({}, st, jnp.zeros(1), {}, env(), (0.25,))
    assert float(st["g"][0]) == 0.25
