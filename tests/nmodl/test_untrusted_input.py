"""Hostile or broken NMODL input: a BridgeError naming file:line, or the right number; never a raw
Python exception, a hang, or Python's own limits (recursion, 100 indentation levels, 200 parentheses)."""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.cli import main as cli_main
from bridge.errors import BridgeError, NmodlSyntaxError, SemanticError, SimulationError
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.mechanisms.protocol import Env
from bridge.nmodl import parse
from bridge.nmodl.load import load_text, translate
from bridge.nmodl.syntax.nesting import depth

from ._corpus import example_mod_files, wheel_mod_files

jax.config.update("jax_enable_x64", True)  # float64, as the simulator runs

ENV = Env(t=0.0, dt=0.025, celsius=6.3, globals={})


def leak(body: str, suffix: str = "t", assigned: str = "", extra: str = "") -> str:
    """A density mechanism whose BREAKPOINT is `body` (it sets i)."""
    return (f"NEURON {{ SUFFIX {suffix} RANGE g NONSPECIFIC_CURRENT i }}\n"
            f"PARAMETER {{ g = 0.001 }}\nASSIGNED {{ v i {assigned} }}\n"
            f"BREAKPOINT {{\n{body}\n}}\n{extra}")


def current(mech, v=-65.0, **params) -> float:
    i, _, _ = mech.current({"g": 0.001, **params}, {}, jnp.array([v]), {}, ENV)
    return float(np.asarray(i)[0])


def simulate(mech, tstop=1.0):
    from bridge.model import Model, Simulation
    from bridge.morphology.tree import SectionTree

    tree = SectionTree()
    tree.section("soma", L=18.8, diam=18.8).insert(mech.name)
    return Simulation(Model(tree, mechanisms={mech.name: mech}, dt=0.025, tstop=tstop), record=["soma(0.5).v"]).run()


def raises_at(exc_type, text: str, line: int, *, limits: Limits = DEFAULT_LIMITS, name: str = "bad.mod"):
    """`load_text` raises `exc_type` located at name:line."""
    with pytest.raises(exc_type) as info:
        load_text(text, name, limits=limits)
    assert info.value.location is not None and info.value.location.filename == name, str(info.value)
    assert info.value.location.line == line, str(info.value)
    return info.value


# --------------------------------------------------------------------------- numbers


def test_a_parameter_of_1e999_is_inf_as_in_c_and_the_run_reports_the_nan():
    mech = load_text(leak("i = g*(v + 70)").replace("g = 0.001", "g = 1e999"), "big.mod")
    assert mech.range_parameters["g"] == float("inf")
    assert current(mech, g=float("inf")) == float("inf")
    with pytest.raises(SimulationError, match="NaN"):
        simulate(mech)


def test_an_integer_too_large_for_c_is_a_syntax_error():
    text = leak("i = 0", assigned="x[99999999999]")
    with pytest.raises(NmodlSyntaxError, match="too large"):
        parse(text, "int.mod")
    with pytest.raises(NmodlSyntaxError, match="too large"):  # 5000 digits: beyond Python's int() limit
        parse(leak("i = 0", assigned="x[" + "9" * 5000 + "]"), "int.mod")


# --------------------------------------------------------------------------- nesting


def deep_if(n: int) -> str:
    return leak("i = 0 " + "IF (v > -1000) { " * n + "i = g*(v + 65) " + "} " * n)


def deep_minus(n: int) -> str:
    return leak("i = g*" + "-" * n + "(v + 65)")


def deep_parens(n: int) -> str:
    return leak("i = g*" + "(" * n + "v + 65" + ")" * n)


def long_sum(n: int) -> str:
    return leak("i = g*(v + 65)" + " + 0" * n)


def deep_power(n: int) -> str:
    return leak("i = g*(v + 65)*" + "1^" * n + "2")


def deep_from(n: int) -> str:
    return leak("LOCAL k\nk = 0\n" + "FROM j = 0 TO 0 { " * n + "k = k + 1 " + "} " * n + "\ni = g*k*(v + 65)")


def deep_while(n: int) -> str:
    return leak("LOCAL k\nk = 0\n" + "WHILE (k < 1) { " * n + "k = k + 1 " + "} " * n + "\ni = g*k*(v + 65)")


DEEP = [deep_if, deep_minus, long_sum, deep_power, deep_from, deep_while]


def test_parentheses_that_only_group_are_not_nesting():
    mech = load_text(deep_parens(5000), "parens.mod")
    assert current(mech, v=-60.0) == pytest.approx(0.001 * 5.0, rel=1e-12)


@pytest.mark.parametrize("make", DEEP, ids=lambda f: f.__name__)
def test_nesting_beyond_the_limit_is_refused_quickly_at_its_line(make):
    start = time.perf_counter()
    for n in (150, 5000):
        err = raises_at(BridgeError, make(n), 7 if make in (deep_from, deep_while) else 5)
        assert "Limits.max_nesting" in str(err) and "max_nesting=" in str(err)
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize("make", DEEP, ids=lambda f: f.__name__)
def test_what_passes_a_raised_nesting_limit_translates_within_pythons_limits(make):
    """150 levels of IF, FROM, WHILE, unary minus, parentheses, '^' and a 150-term sum: more than
    Python's 100 indentation levels; with '-' and calls, more than 200 nested parentheses."""
    mech = load_text(make(150), f"{make.__name__}.mod", limits=Limits(max_nesting=400))
    assert current(mech, v=-60.0) == pytest.approx(0.001 * 5.0, rel=1e-12)


def test_nesting_far_beyond_what_python_can_follow_is_a_bridge_error_not_a_recursion_error():
    for make in DEEP:
        with pytest.raises(BridgeError):
            load_text(make(3000), "deep.mod", limits=Limits(max_nesting=10**7))


def test_every_corpus_file_is_nested_well_within_the_default_limit():
    files = wheel_mod_files() + example_mod_files()
    deepest = max(depth(parse(p.read_text(errors="replace"), str(p))) for p in files)
    assert deepest * 5 <= DEFAULT_LIMITS.max_nesting, deepest


def test_bridge_parse_reports_deep_nesting_in_one_line(tmp_path, capsys):
    path = tmp_path / "deep.mod"
    path.write_text(deep_if(2000))
    assert cli_main(["parse", str(path)]) == 1
    out = capsys.readouterr().out
    assert "deep.mod:5:" in out and "max_nesting" in out and "Traceback" not in out
    assert cli_main(["translate", str(path)]) == 1
    assert "max_nesting" in capsys.readouterr().err


# --------------------------------------------------------------------------- names


def test_two_blocks_of_one_name_are_refused_as_nocmodl_does():
    text = leak("i = f(v)", extra="FUNCTION f(x) { f = x }\nFUNCTION f(x) { f = 2*x }\n")
    raises_at(SemanticError, text, 8)


# --------------------------------------------------------------------------- TABLE


TABLED = leak("rates(v)\ni = g*minf*(v + 65)", assigned="minf",
              extra="PROCEDURE rates(v) {\n TABLE minf FROM -100 TO 100 WITH {n}\n minf = 1/(1 + exp(-v))\n}\n")


def test_a_table_with_0_intervals_is_refused():
    # nocmodl divides by 0: one point, and f(-100) returned for every v; bridge refuses
    err = raises_at(SemanticError, TABLED.replace("{n}", "0"), 9)
    assert "WITH 0" in str(err)


def test_a_table_over_max_table_points_is_refused_before_it_is_built():
    start = time.perf_counter()
    err = raises_at(BridgeError, TABLED.replace("{n}", "100000000"), 9)
    assert "Limits.max_table_points" in str(err) and time.perf_counter() - start < 10
    assert load_text(TABLED.replace("{n}", "200"), "t200.mod", limits=Limits(max_table_points=200))


# --------------------------------------------------------------------------- loops


def test_an_endless_while_names_its_line():
    mech = load_text(leak("LOCAL k\nk = 0\nWHILE (1) { k = k + 1 }\ni = g*v"), "w.mod",
                     limits=Limits(max_loop_iterations=500))
    with pytest.raises(SimulationError, match="WHILE") as info:
        current(mech)
    assert str(info.value.location) == "w.mod:7:1"
    with pytest.raises(SimulationError, match="WHILE") as info:
        simulate(mech)
    assert info.value.location.line == 7


def test_an_endless_while_on_traced_values_ends_in_the_nan_check():
    text = leak("LOCAL k\nk = 0\nWHILE (v < 1000) { k = k + 1 }\ni = g*(v + 65) + k*1e-9")
    mech = load_text(text, "wv.mod", limits=Limits(max_loop_iterations=500))
    start = time.perf_counter()
    with pytest.raises(SimulationError, match="NaN"):
        simulate(mech)
    assert time.perf_counter() - start < 120


def test_nested_while_loops_share_one_budget_under_jit():
    """Three nested data-dependent WHILEs of 1000 iterations each would be 10^9 iterations."""
    loops = "WHILE (v < 1000) { k = k + 1 " * 3 + "} " * 3
    mech = load_text(leak(f"LOCAL k\nk = 0\n{loops}\ni = g*(v + 65) + k*1e-9"), "ww.mod",
                     limits=Limits(max_loop_iterations=1000))
    start = time.perf_counter()
    with pytest.raises(SimulationError, match="NaN"):
        simulate(mech)
    assert time.perf_counter() - start < 120


def test_a_huge_from_loop_is_refused_before_it_is_unrolled():
    mech = load_text(leak("LOCAL k\nk = 0\nFROM j = 0 TO 1e9 { k = k + 1 }\ni = g*k"), "f.mod")
    start = time.perf_counter()
    with pytest.raises(BridgeError, match="max_loop_iterations") as info:
        simulate(mech)
    assert info.value.location.line == 7 and time.perf_counter() - start < 60


def test_nested_from_loops_multiply_and_share_one_budget():
    loops = "FROM j = 1 TO 100 { " * 4 + "k = k + 1 " + "} " * 4  # 10^8 iterations, 100 each
    mech = load_text(leak(f"LOCAL k\nk = 0\n{loops}\ni = g*k"), "ff.mod")
    start = time.perf_counter()
    with pytest.raises(BridgeError, match="nested loops multiply"):
        current(mech)
    assert time.perf_counter() - start < 60


def test_a_from_loop_by_0_is_an_error_and_a_negative_step_runs_as_in_c():
    mech = load_text(leak("LOCAL k\nk = 0\nFROM j = 0 TO 3 BY 0 { k = k + 1 }\ni = g*k"), "b0.mod")
    with pytest.raises(SimulationError, match="never ends") as info:
        current(mech)
    assert info.value.location.line == 7
    # nocmodl: for (j = 5; j <= 0; j += -1): no iteration; and (int)2.7 is 2
    down = load_text(leak("LOCAL k\nk = 0\nFROM j = 5 TO 0 BY -1 { k = k + 1 }\ni = k"), "down.mod")
    assert current(down) == 0.0
    trunc = load_text(leak("LOCAL k\nk = 0\nFROM j = -0.5 TO 2.7 { k = k + 1 }\ni = k"), "tr.mod")
    assert current(trunc) == 3.0  # j = 0, 1, 2


# --------------------------------------------------------------------------- KINETIC and arrays


def kinetic_chain(n: int) -> str:
    states = " ".join(f"c{k}" for k in range(n))
    reactions = "\n".join(f"  ~ c{k} <-> c{k + 1} (1, 1)" for k in range(n - 1))
    return (f"NEURON {{ SUFFIX kc RANGE g NONSPECIFIC_CURRENT i }}\nPARAMETER {{ g = 0.001 }}\n"
            f"ASSIGNED {{ v i }}\nSTATE {{ {states} }}\nBREAKPOINT {{ SOLVE kin METHOD sparse i = g*c0*v }}\n"
            f"KINETIC kin {{\n{reactions}\n}}\n")


def test_a_kinetic_scheme_over_max_kinetic_states_is_refused_before_the_work():
    start = time.perf_counter()
    err = raises_at(BridgeError, kinetic_chain(DEFAULT_LIMITS.max_kinetic_states + 1), 6)
    assert "Limits.max_kinetic_states" in str(err) and time.perf_counter() - start < 10
    assert translate(kinetic_chain(12), "k12.mod", limits=Limits(max_kinetic_states=12))


def test_an_array_larger_than_max_memory_is_refused():
    raises_at(BridgeError, leak("i = 0", assigned="x[1000000000]"), 3)
    err = raises_at(BridgeError, leak("LOCAL a[2000000000]\ni = 0"), 5)
    assert "Limits.max_memory" in str(err)


# --------------------------------------------------------------------------- C arithmetic


def test_division_by_zero_is_c_s_inf_or_nan_not_a_python_exception():
    """nocmodl's C divides by zero to inf or NaN; Python numbers (a GLOBAL, t, a literal, a LOCAL)
    would raise ZeroDivisionError."""
    text = leak("LOCAL k\nk = 0\ni = 1/k + 1/0 + tau/t + log(0)*0 + 1/tau", extra="")
    text = text.replace("PARAMETER { g = 0.001 }", "PARAMETER { g = 0.001 tau = 0 }")
    mech = load_text(text, "div.mod")
    assert np.isnan(current(mech))  # 1/k = inf, 1/0 = inf, 0/0 = NaN (t = 0), -inf*0 = NaN
    inf = load_text(leak("LOCAL k\nk = 0\ni = 1/k + log(k)"), "inf.mod")
    assert current(inf) != current(inf)  # inf + -inf
    assert current(load_text(leak("i = 1/g - log10(0)"), "pos.mod"), g=0.0) == float("inf")


def test_bridge_translate_reads_undecodable_bytes_and_reports_unwritable_output(tmp_path, capsys):
    path = tmp_path / "latin1.mod"
    path.write_bytes(leak("i = g*v : caf\xe9 au lait").encode("latin-1"))
    assert cli_main(["translate", str(path)]) == 0
    assert "def currents(s):" in capsys.readouterr().out  # BREAKPOINT (no longer named like the builtin)
    assert cli_main(["translate", str(path), "-o", str(tmp_path / "no" / "such" / "folder.py")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_an_integer_of_thousands_of_leading_zeros_is_an_integer():
    """Python's int() refuses a string of over 4,300 digits, leading zeros included (found by the fuzzer)."""
    from bridge.nmodl import parse

    prog = parse("NEURON { SUFFIX z }\nASSIGNED { a[" + "0" * 5000 + "3] }\n", filename="zeros.mod")
    assert prog is not None


@pytest.mark.parametrize("unit", ["micro2147483648siemens", "cm" + "9" * 5000])
def test_a_huge_power_in_a_unit_is_refused_at_once(unit):
    """A unit power is a loop of multiplications: 2147483648 of them ran for hours (found by the fuzzer)."""
    from bridge.nmodl.analysis.units import UnitError, parse_unit

    with pytest.raises(UnitError, match="at most 99"):
        parse_unit(unit)
