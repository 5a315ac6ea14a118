"""bridge.nmodl.syntax.parse: NMODL text → typed syntax tree, construct by construct."""

from __future__ import annotations

import pytest

from bridge.errors import NmodlSyntaxError, SourceLocation
from bridge.nmodl import ast, parse, parse_file

from ._corpus import example_mod_files, wheel_mod_files

A, B, N, C = ast.Binary, ast.Name, ast.Number, ast.Call


def num(v):
    return N(float(v))


def body_of(src: str, block: str = "BREAKPOINT"):
    """The statements of a one-block program (`src` is the block's inside)."""
    prog = parse(f"{block} {{\n{src}\n}}")
    (item,) = prog.items
    return item.body


def expr_of(text: str):
    (stmt,) = body_of(f"x = {text}")
    return stmt.value


# ------------------------------------------------------------------ corpus


@pytest.mark.parametrize("path", wheel_mod_files(), ids=lambda p: p.name)
def test_every_wheel_mod_file_parses(path):
    prog = parse_file(path)
    assert isinstance(prog, ast.Program)
    assert prog.neuron.name  # every one of them declares a mechanism
    assert prog.filename == str(path)


@pytest.mark.parametrize("path", example_mod_files(), ids=lambda p: p.name)
def test_example_mod_files_parse(path):
    prog = parse_file(path)
    assert prog.neuron.name == path.stem
    assert prog.neuron.kind == "SUFFIX" and prog.neuron.threadsafe


def test_hh_interface_and_declarations():
    share = [p for p in wheel_mod_files() if p.name == "hh.mod"]
    if not share:
        pytest.skip("neuron wheel not installed")
    prog = parse_file(share[0])
    nrn = prog.neuron
    assert (nrn.name, nrn.kind, nrn.is_point_process) == ("hh", "SUFFIX", False)
    assert [(i.ion, i.read, i.write) for i in nrn.ions] == [("na", ("ena",), ("ina",)), ("k", ("ek",), ("ik",))]
    assert nrn.nonspecific_currents == ("il",)
    assert nrn.range == ("gnabar", "gkbar", "gl", "el", "gna", "gk", "minf", "hinf", "ninf", "mtau", "htau", "ntau")
    assert nrn.global_ == () and nrn.threadsafe
    gnabar = prog.parameters[0]
    assert (gnabar.name, gnabar.value.value, gnabar.units) == ("gnabar", 0.12, "S/cm2")
    assert (gnabar.limits[0].value, gnabar.limits[1].value) == (0.0, 1e9)
    assert prog.parameters[3].value.value == -54.3
    assert [d.name for d in prog.states] == ["m", "h", "n"]
    assert prog.breakpoint.body[0] == ast.Solve("states", method="cnexp")
    assert set(prog.procedures) == {"rates"} and set(prog.functions) == {"vtrap"}
    assert prog.block("states") is prog.derivatives["states"]
    table = prog.procedures["rates"].body[1]
    assert table == ast.Table(("minf", "mtau", "hinf", "htau", "ninf", "ntau"), ("celsius",),
                              ast.Unary("-", num(100)), num(100), 200)
    assert prog.procedures["rates"].params == (ast.Param("v", "mV"),)
    assert prog.title.startswith("hh.mod")


def test_locations_point_at_the_source():
    prog = parse("NEURON {\n  SUFFIX foo\n}\nBREAKPOINT {\n    x = a + 2\n}\n", filename="f.mod")
    nrn, bp = prog.items
    assert nrn.loc == SourceLocation("f.mod", 1, 1)
    assert nrn.statements[0].loc == SourceLocation("f.mod", 2, 3)
    assign = bp.body[0]
    assert assign.loc == SourceLocation("f.mod", 5, 5)
    assert assign.value.loc == SourceLocation("f.mod", 5, 9)
    assert assign.value.right.loc == SourceLocation("f.mod", 5, 13)


def test_locations_do_not_take_part_in_equality():
    assert parse("BREAKPOINT { x = 1 }") == parse("\n\nBREAKPOINT {\n\n   x    =   1\n}")


# ------------------------------------------------------------------ lexical


def test_title_comments_and_line_comments():
    prog = parse("TITLE  my model : not a comment\nCOMMENT\n anything { at all\nENDCOMMENT\n"
                 ": a comment\n? another\nNEURON { SUFFIX a : trailing\n }\n")
    assert prog.title == "my model : not a comment"
    assert prog.neuron.name == "a" and len(prog.items) == 2


def test_comment_inside_blocks():
    body = body_of("x = 1\nCOMMENT\n x = 2\nENDCOMMENT\ny = 3 ? why")
    assert [s.target.name for s in body] == ["x", "y"]


def test_verbatim_kept_as_opaque_text():
    prog = parse("VERBATIM\n#include <math.h>\nstatic int x; /* } */\nENDVERBATIM\n"
                 "PROCEDURE p() {\nVERBATIM\n  return 0;\nENDVERBATIM\n}")
    assert prog.items[0] == ast.Verbatim("\n#include <math.h>\nstatic int x; /* } */\n")
    assert prog.items[1].body == (ast.Verbatim("\n  return 0;\n"),)


def test_numbers():
    for text, value in [("1", 1.0), (".5", 0.5), ("2.", 2.0), ("1e-3", 1e-3), ("1.5E+2", 150.0), ("3e2", 300.0)]:
        e = expr_of(text)
        assert isinstance(e, N) and e.value == value and e.text == text
    assert expr_of("3").is_integer and not expr_of("3.0").is_integer


# ------------------------------------------------------------------ expressions


def test_power_binds_tighter_than_unary_minus():
    assert expr_of("-x^2") == ast.Unary("-", A("^", B("x"), num(2)))


def test_power_is_right_associative():
    assert expr_of("a^b^c") == A("^", B("a"), A("^", B("b"), B("c")))


def test_power_with_negative_exponent():
    assert expr_of("2^-x*3") == A("*", A("^", num(2), ast.Unary("-", B("x"))), num(3))


def test_arithmetic_precedence_and_left_associativity():
    assert expr_of("a - b - c") == A("-", A("-", B("a"), B("b")), B("c"))
    assert expr_of("a / b * c") == A("*", A("/", B("a"), B("b")), B("c"))
    assert expr_of("a + b * c") == A("+", B("a"), A("*", B("b"), B("c")))
    assert expr_of("-a * b") == A("*", ast.Unary("-", B("a")), B("b"))
    assert expr_of("(a + b) * c") == A("*", A("+", B("a"), B("b")), B("c"))


def test_relational_and_logical_precedence():
    # nocmodl: || < && < relational (all one level, left assoc) < + -
    assert expr_of("a < b + 1 && c >= d || !e") == A(
        "||", A("&&", A("<", B("a"), A("+", B("b"), num(1))), A(">=", B("c"), B("d"))), ast.Unary("!", B("e")))
    assert expr_of("a == b != c") == A("!=", A("==", B("a"), B("b")), B("c"))
    assert expr_of("!a > b") == A(">", ast.Unary("!", B("a")), B("b"))
    assert expr_of("a <= b") == A("<=", B("a"), B("b"))


def test_calls_strings_indexing_and_unit_numbers():
    assert expr_of("f()") == C("f", ())
    assert expr_of("exp(-v/10) + g(a, b[i+1])") == A(
        "+", C("exp", (A("/", ast.Unary("-", B("v")), num(10)),)),
        C("g", (B("a"), ast.Indexed("b", A("+", B("i"), num(1))))))
    (stmt,) = body_of('printf("v=%g\\n", v)')
    assert stmt == ast.ExprStatement(C("printf", (ast.String("v=%g\\n"), B("v"))))
    assert expr_of("2 (mV) * x") == A("*", ast.UnitNumber(num(2), "mV"), B("x"))
    assert expr_of("1 (/ms)") == ast.UnitNumber(num(1), "/ms")
    # a parenthesised expression after an operator is not a unit
    assert expr_of("x * (1/ms)") == A("*", B("x"), A("/", num(1), B("ms")))


# ------------------------------------------------------------------ NEURON block


def test_neuron_block_statements():
    prog = parse("""
NEURON {
    POINT_PROCESS Syn
    USEION ca READ cai, cao WRITE ica VALENCE 2 REPRESENTS CHEBI:29108
    USEION na WRITE ina
    USEION x READ xi VALENCE -1
    NONSPECIFIC_CURRENT i, j
    ELECTRODE_CURRENT ie
    RANGE a, b
    RANGE c
    GLOBAL g
    POINTER p
    BBCOREPOINTER q
    EXTERNAL ext
    RANDOM r
    THREADSAFE
    REPRESENTS NCIT:C17145
}""")
    nrn = prog.neuron
    assert (nrn.name, nrn.kind, nrn.is_point_process) == ("Syn", "POINT_PROCESS", True)
    assert nrn.ions == (
        ast.UseIon("ca", ("cai", "cao"), ("ica",), 2.0, "CHEBI:29108"),
        ast.UseIon("na", (), ("ina",)),
        ast.UseIon("x", ("xi",), (), -1.0),
    )
    assert nrn.nonspecific_currents == ("i", "j") and nrn.electrode_currents == ("ie",)
    assert nrn.range == ("a", "b", "c") and nrn.global_ == ("g",)
    assert (nrn.pointers, nrn.bbcore_pointers, nrn.externals, nrn.randoms) == (("p",), ("q",), ("ext",), ("r",))
    assert nrn.threadsafe and nrn.statements[-1] == ast.Represents("NCIT:C17145")


def test_artificial_cell_and_missing_neuron_block():
    assert parse("NEURON { ARTIFICIAL_CELL Gen }").neuron.kind == "ARTIFICIAL_CELL"
    empty = parse("PARAMETER { a = 1 }").neuron
    assert empty.name is None and empty.kind is None and empty.range == ()


# ------------------------------------------------------------------ declarations


def test_units_block_both_factor_forms():
    prog = parse("""UNITS {
    (mM) = (milli/liter)
    (faraday) = (coulomb)
    FARADAY = 96485.3 (coul)
    F2 = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
    foot2inch = (foot) -> (inch)
}""")
    assert prog.units == (
        ast.UnitDef("mM", "milli/liter"),
        ast.UnitDef("faraday", "coulomb"),
        ast.FactorDef("FARADAY", num(96485.3), "coul"),
        ast.FactorDef("F2", None, "coulomb", from_units="faraday"),
        ast.FactorDef("R", None, "joule/degC", from_units="k-mole"),
        ast.FactorDef("foot2inch", None, "inch", from_units="foot", arrow=True),
    )


def test_parameter_forms():
    prog = parse("""PARAMETER {
    a = 1 (mV) <-10, 1e3>
    b = -2.5
    celsius (degC)
    c[3] (ms)
    d <0, 1>
}""")
    a, b, cel, c, d = prog.parameters
    assert a == ast.Declaration("a", num(1), "mV", (num(-10), num(1e3)))
    assert b == ast.Declaration("b", num(-2.5))
    assert cel == ast.Declaration("celsius", units="degC")
    assert c == ast.Declaration("c", units="ms", size=3)
    assert d == ast.Declaration("d", limits=(num(0), num(1)))


def test_state_and_assigned_forms():
    prog = parse("""DEFINE NANN 4
STATE {
    m h
    ca[NANN] (mM) <1e-6>
    x FROM 0 TO 1 START 0.5 (1)
    y[2] FROM -1 TO 1
}
ASSIGNED { v (mV) ina (mA/cm2) minf tab[3] }
CONSTANT { F = 96485 (coul) k = -1 }
INDEPENDENT { t FROM 0 TO 1 WITH 1 (ms) }""")
    assert prog.defines == {"NANN": 4}
    m, h, ca, x, y = prog.states
    assert (m.name, h.name) == ("m", "h")
    assert ca == ast.Declaration("ca", units="mM", size="NANN", abstol=num(1e-6))
    assert x == ast.Declaration("x", units="1", from_to=(num(0), num(1)), start=num(0.5))
    assert y == ast.Declaration("y", size=2, from_to=(num(-1), num(1)))
    assert [d.name for d in prog.assigned] == ["v", "ina", "minf", "tab"]
    assert prog.assigned[3].size == 3
    assert prog.constants == (ast.Declaration("F", num(96485), "coul"), ast.Declaration("k", num(-1)))
    (t,) = prog.of_type(ast.IndependentBlock)[0].declarations
    assert t == ast.Declaration("t", units="ms", from_to=(num(0), num(1)), with_=1)


# ------------------------------------------------------------------ blocks


def test_block_kinds_and_names():
    prog = parse("""
INITIAL { x = 0 }
BREAKPOINT { SOLVE s METHOD cnexp }
DERIVATIVE s { x' = -x }
KINETIC kin SOLVEFOR a, b { ~ a <-> b (1, 2) }
LINEAR lin SOLVEFOR x { ~ x = 1 }
NONLINEAR nl { ~ x*x = 2 }
DISCRETE d { x = x@1 }
PROCEDURE p(a (mV), b) (ms) { }
FUNCTION f(v (mV)) (/ms) { f = v }
FUNCTION_TABLE tau(v (mV)) (ms)
NET_RECEIVE(w (uS), n) { INITIAL { n = 0 } }
BEFORE BREAKPOINT { x = 1 }
AFTER SOLVE { x = 2 }
BEFORE STEP { }
CONSTRUCTOR { }
DESTRUCTOR { }
""")
    kinds = [type(i).__name__ for i in prog.items]
    assert kinds == ["InitialBlock", "BreakpointBlock", "DerivativeBlock", "KineticBlock", "LinearBlock",
                     "NonLinearBlock", "DiscreteBlock", "ProcedureBlock", "FunctionBlock", "FunctionTableBlock",
                     "NetReceiveBlock", "BeforeAfterBlock", "BeforeAfterBlock", "BeforeAfterBlock",
                     "ConstructorBlock", "DestructorBlock"]
    assert prog.kinetics["kin"].solvefor == ("a", "b")
    assert prog.block("lin").solvefor == ("x",) and prog.block("nl").solvefor == ()
    p = prog.procedures["p"]
    assert p.params == (ast.Param("a", "mV"), ast.Param("b")) and p.units == "ms"
    f = prog.functions["f"]
    assert f.units == "/ms" and f.body == (ast.Assign(B("f"), B("v")),)
    assert prog.block("tau") == ast.FunctionTableBlock("tau", (ast.Param("v", "mV"),), "ms")
    nr = prog.net_receive
    assert nr.params == (ast.Param("w", "uS"), ast.Param("n"))
    assert nr.initial == ast.InitialStatement((ast.Assign(B("n"), num(0)),))
    ba = prog.of_type(ast.BeforeAfterBlock)
    assert [(b.when, b.point) for b in ba] == [("BEFORE", "BREAKPOINT"), ("AFTER", "SOLVE"), ("BEFORE", "STEP")]
    assert set(prog.named_blocks) == {"s", "kin", "lin", "nl", "d", "p", "f", "tau"}


def test_discrete_values():
    (s, t) = parse("DISCRETE d { x = x@1 + 1\n A@2[i] = 0 }").items[0].body
    assert s == ast.Assign(B("x"), A("+", ast.DiscreteValue("x", 1), num(1)))
    assert t.target == ast.DiscreteValue("A", 2, B("i"))


def test_derivatives_with_primes():
    body = parse("DERIVATIVE d { m' = (minf - m)/mtau\n x'' = -x\n A'[i] = 1 }").items[0].body
    assert body[0].target == ast.Prime("m", 1)
    assert body[1].target == ast.Prime("x", 2)
    assert body[2].target == ast.Prime("A", 1, B("i"))


# ------------------------------------------------------------------ statements


def test_local_only_first_and_arrays():
    (local, assign) = parse("DEFINE NANN 2\nINITIAL { LOCAL a, b[3], c[NANN]\na = 1 }").items[1].body
    assert local == ast.Local((ast.LocalVar("a"), ast.LocalVar("b", 3), ast.LocalVar("c", "NANN")))
    prog = parse("LOCAL top\nNEURON { SUFFIX x }")
    assert prog.items[0] == ast.Local((ast.LocalVar("top"),))


def test_if_else_in_either_case():
    (s,) = body_of("IF (a > 0) { x = 1 } ELSE IF (a < -1) { x = 2 } else { x = 3 }")
    assert s == ast.If(A(">", B("a"), num(0)), (ast.Assign(B("x"), num(1)),),
                       (ast.If(A("<", B("a"), ast.Unary("-", num(1))), (ast.Assign(B("x"), num(2)),),
                               (ast.Assign(B("x"), num(3)),)),))
    (t,) = body_of("if (a) { }")
    assert t == ast.If(B("a"), (), None)


def test_while_from_and_nested_block():
    w, f, g, blk = body_of("while (i < 3) { i = i + 1 }\nFROM i = 0 TO n - 1 { a[i] = 0 }\n"
                           "FROM j = 10 TO 0 BY -2 { }\n{ LOCAL z\n z = 1 }")
    assert w == ast.While(A("<", B("i"), num(3)), (ast.Assign(B("i"), A("+", B("i"), num(1))),))
    assert f == ast.From("i", num(0), A("-", B("n"), num(1)), None, (ast.Assign(ast.Indexed("a", B("i")), num(0)),))
    assert g.step == ast.Unary("-", num(2))
    assert blk == ast.Block((ast.Local((ast.LocalVar("z"),)), ast.Assign(B("z"), num(1))))


def test_solve_forms():
    body = body_of("SOLVE a METHOD cnexp\nSOLVE b STEADYSTATE sparse\nSOLVE c\n"
                   "SOLVE d METHOD derivimplicit IFERROR { x = 1 }")
    assert body == (
        ast.Solve("a", method="cnexp"),
        ast.Solve("b", steadystate="sparse"),
        ast.Solve("c"),
        ast.Solve("d", method="derivimplicit", if_error=(ast.Assign(B("x"), num(1)),)),
    )


def test_table_forms():
    prog = parse("FUNCTION f(v) {\nTABLE DEPEND celsius FROM -100 TO 100 WITH 200\n f = v }\n"
                 "PROCEDURE p(v) {\nTABLE a, b FROM lo TO hi WITH 10\n}")
    assert prog.functions["f"].body[0] == ast.Table((), ("celsius",), ast.Unary("-", num(100)), num(100), 200)
    assert prog.procedures["p"].body[0] == ast.Table(("a", "b"), (), B("lo"), B("hi"), 10)


def test_kinetic_statements():
    body = parse("""KINETIC k {
    COMPARTMENT vol { A B }
    COMPARTMENT i, diam*vol[i] { ca }
    LONGITUDINAL_DIFFUSION i, D*vol[i] { ca }
    ~ A + 2 B <-> C (kf*v, kb)
    ~ ca[0] << (-ica*PI)
    ~ X -> (kd)
    ~ ca[i] <-> ca[i+1] (f, b)
    CONSERVE A + B + 2 C = 1
    x = f_flux - b_flux
}""").items[0].body
    assert body[0] == ast.Compartment(None, B("vol"), ("A", "B"))
    assert body[1] == ast.Compartment("i", A("*", B("diam"), ast.Indexed("vol", B("i"))), ("ca",))
    assert body[2] == ast.LongitudinalDiffusion("i", A("*", B("D"), ast.Indexed("vol", B("i"))), ("ca",))
    R = ast.Reactant
    assert body[3] == ast.Reaction((R("A"), R("B", 2)), "<->", (R("C"),), A("*", B("kf"), B("v")), B("kb"))
    assert body[4] == ast.Reaction((R("ca", 1, num(0)),), "<<", (), A("*", ast.Unary("-", B("ica")), B("PI")))
    assert body[5] == ast.Reaction((R("X"),), "->", (), B("kd"))
    assert body[6].rhs == (R("ca", 1, A("+", B("i"), num(1))),)
    assert body[7] == ast.Conserve((R("A"), R("B"), R("C", 2)), num(1))
    assert body[8].value == A("-", B("f_flux"), B("b_flux"))


def test_linear_and_nonlinear_equations():
    body = parse("LINEAR l { ~ 2*x + y = 3\n ~ -x = y }").items[0].body
    assert body == (ast.Equation(A("+", A("*", num(2), B("x")), B("y")), num(3)),
                    ast.Equation(ast.Unary("-", B("x")), B("y")))
    (eq,) = parse("NONLINEAR n { ~ x^2 = f(y) }").items[0].body
    assert eq == ast.Equation(A("^", B("x"), num(2)), C("f", (B("y"),)))


def test_net_receive_statements():
    nr = parse("""NET_RECEIVE(w, tsyn (ms)) {
    INITIAL { tsyn = t }
    if (flag == 0) { net_send(0, 1) }
    WATCH (v > thresh) 2, (v < -20 (mV)) 3
    FOR_NETCONS(w1, ts) { ts = t }
    net_event(t)
}""").net_receive
    init, iff, watch, fornc, ev = nr.body
    assert isinstance(init, ast.InitialStatement) and isinstance(iff, ast.If)
    assert watch == ast.Watch((
        ast.WatchCondition(B("v"), ">", B("thresh"), num(2)),
        ast.WatchCondition(B("v"), "<", ast.Unary("-", ast.UnitNumber(num(20), "mV")), num(3)),
    ))
    assert fornc == ast.ForNetcons((ast.Param("w1"), ast.Param("ts")), (ast.Assign(B("ts"), B("t")),))
    assert ev == ast.ExprStatement(C("net_event", (B("t"),)))


def test_protect_mutex_conductance_units_switch_lag():
    body = body_of("PROTECT x = x + 1\nMUTEXLOCK\nMUTEXUNLOCK\nCONDUCTANCE g USEION na\nCONDUCTANCE gl\n"
                   "UNITSOFF\nUNITSON\nLAG x BY tau")
    assert body == (
        ast.Protect(ast.Assign(B("x"), A("+", B("x"), num(1)))),
        ast.MutexLock(), ast.MutexUnlock(),
        ast.Conductance("g", "na"), ast.Conductance("gl"),
        ast.UnitsSwitch(False), ast.UnitsSwitch(True),
        ast.Lag("x", "tau"),
    )


def test_top_level_define_include_units_switch():
    prog = parse('DEFINE N 3\nINCLUDE "inc.h"\nUNITSOFF\nUNITSON')
    assert prog.items == (ast.Define("N", 3), ast.Include("inc.h"), ast.UnitsSwitch(False), ast.UnitsSwitch(True))


def test_walk_visits_every_node_in_order():
    prog = parse("BREAKPOINT { x = a + f(b) }")
    names = [n.name for n in ast.walk(prog) if isinstance(n, (ast.Name, ast.Call))]
    assert names == ["x", "a", "f", "b"]


def test_stoichiometry_outside_a_reaction_is_an_error():
    with pytest.raises(NmodlSyntaxError) as info:
        parse("LINEAR l {\n ~ 2 x = 1\n}")
    assert (info.value.location.line, info.value.location.column) == (2, 4)


def test_integers_in_the_tree_are_plain_ints():
    prog = parse("DEFINE N 3\nSTATE { a[4] }\nKINETIC k { ~ 2 A <-> B (1, 2) }\n"
                 "PROCEDURE p() { TABLE FROM 0 TO 1 WITH 5 }")
    values = [prog.defines["N"], prog.states[0].size, prog.kinetics["k"].body[0].lhs[0].coefficient,
              prog.procedures["p"].body[0].count]
    assert values == [3, 4, 2, 5] and all(type(v) is int for v in values)


def test_parse_is_safe_from_several_threads():
    from concurrent.futures import ThreadPoolExecutor

    texts = [(f"f{i}.mod", f"NEURON {{ SUFFIX m{i} }}\nBREAKPOINT {{ x = {i} }}") for i in range(40)]
    with ThreadPoolExecutor(4) as pool:
        progs = list(pool.map(lambda t: parse(t[1], filename=t[0]), texts))
    for (name, _), prog in zip(texts, progs):
        assert prog.items[1].body[0].loc.filename == name and prog.filename == name


def test_parse_file_reads_bytes_robustly(tmp_path):
    from bridge.errors import BridgeError

    f = tmp_path / "bom.mod"
    f.write_bytes(b"\xef\xbb\xbfNEURON { SUFFIX bom }\r\n: caf\xe9 in Latin-1\r\nPARAMETER { a = 1 }\r\n")
    prog = parse_file(f)
    assert prog.neuron.name == "bom" and prog.parameters[0].name == "a"
    with pytest.raises(BridgeError, match="cannot read"):
        parse_file(tmp_path / "missing.mod")


@pytest.mark.neuron
def test_a_lone_carriage_return_ends_a_line_as_in_nocmodl(tmp_path):
    """Old Mac files (ModelDB 144526 na8st.mod): a ':' comment stops at a lone CR, so the declaration
    after it counts, for nocmodl and for bridge."""
    import shutil
    import subprocess
    from pathlib import Path

    import neuron

    src = ("NEURON { SUFFIX crt RANGE g }\nPARAMETER {\n\tg = 1 : comment\r\tq10 = 2.3 : more\r}\n"
           "BREAKPOINT { g = q10 }\n")
    prog = parse(src, "crt.mod")
    names = [d.name for d in prog.parameters] if hasattr(prog, "parameters") else None
    assert names is None or "q10" in names
    from bridge.nmodl.load import load_text

    assert load_text(src, "crt.mod").name == "crt"  # q10 is declared: no 'undefined variable'
    nocmodl = Path(neuron.__file__).resolve().parent / ".data" / "bin" / "nocmodl"
    if not nocmodl.exists():
        nocmodl = shutil.which("nocmodl")
    (tmp_path / "crt.mod").write_bytes(src.encode())
    subprocess.run([str(nocmodl), "crt.mod"], cwd=tmp_path, check=True, capture_output=True)
    assert "q10" in (tmp_path / "crt.cpp").read_text()
