"""bridge.nmodl.syntax.printer: to_nmodl prints text that parses back to an equal tree."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.nmodl import ast, parse, parse_file, to_nmodl

from ._corpus import example_mod_files, wheel_mod_files

A, B = ast.Binary, ast.Name


def round_trips(text: str) -> bool:
    first = parse(text)
    printed = to_nmodl(first)
    return parse(printed) == first


@pytest.mark.parametrize("path", wheel_mod_files() + example_mod_files(), ids=lambda p: p.name)
def test_mod_files_round_trip(path):
    first = parse_file(path)
    second = parse(to_nmodl(first))
    assert second == first
    # printing is a fixed point after one round
    assert to_nmodl(second) == to_nmodl(first)


SNIPPETS = [
    "TITLE a title : with colon\nNEURON { POINT_PROCESS P USEION ca READ cai WRITE ica VALENCE 2 REPRESENTS CHEBI:1 "
    "RANGE a, b GLOBAL g NONSPECIFIC_CURRENT i ELECTRODE_CURRENT e POINTER p BBCOREPOINTER q EXTERNAL x RANDOM r "
    "THREADSAFE REPRESENTS NCIT:C1 }",
    "UNITS { (mM) = (milli/liter) F = 96485.3 (coul) R = (k-mole) (joule/degC) f2i = (foot) -> (inch) }",
    "DEFINE N 3\nPARAMETER { a = -1.5e3 (mV) <-1, 1e9> c[N] (ms) d <0, 1> }\n"
    "STATE { m ca[N] FROM 0 TO 1 START 0.5 (mM) <1e-6> }",
    "ASSIGNED { v (mV) t[3] }\nCONSTANT { k = -2 (1) }\nINDEPENDENT { t FROM 0 TO 1 WITH 1 START 0 (ms) }",
    "LOCAL a, b[2]\nINCLUDE \"x.inc\"\nUNITSOFF\nUNITSON\nVERBATIM\n int x; /* } */\nENDVERBATIM",
    "BREAKPOINT { SOLVE s METHOD cnexp\nSOLVE k STEADYSTATE sparse\nSOLVE q METHOD derivimplicit IFERROR { x = 1 }\n"
    "CONDUCTANCE g USEION na\nCONDUCTANCE h\nPROTECT x = x + 1\nMUTEXLOCK\nMUTEXUNLOCK\nLAG x BY tau }",
    "INITIAL { LOCAL i\nif (a > 0 && !b) { x = 1 } else if (a < 0) { x = 2 } else { x = 3 }\n"
    "while (i <= 3) { i = i + 1 }\nFROM i = 0 TO n - 1 BY 2 { a[i] = -i }\n{ y = 2 } }",
    "DERIVATIVE d { m' = (minf - m) / mtau\nx'' = -x\nA'[i] = 1 }",
    "KINETIC k SOLVEFOR A, B { COMPARTMENT i, diam * vol[i] { A B }\nCOMPARTMENT v { C }\n"
    "LONGITUDINAL_DIFFUSION D { A }\n~ A + 2 B <-> C (kf, kb)\n~ A << (-f * 1 (um))\n~ B -> (kd)\n"
    "~ A[i] <-> A[i + 1] (1, 1)\nCONSERVE A + B + 3 C = 1 }",
    "LINEAR l SOLVEFOR x { ~ 2 * x + y = 3 }\nNONLINEAR n { ~ -x^2 = f(y) }",
    "PROCEDURE p(a (mV), b) (ms) { TABLE x, y DEPEND celsius FROM -100 TO 100 WITH 200\n x = a }\n"
    "FUNCTION f(v) (/ms) { TABLE DEPEND q FROM 0 TO 1 WITH 2\n f = v }\nFUNCTION_TABLE ft(v (mV)) (ms)",
    "NET_RECEIVE(w (uS), ts) { INITIAL { ts = t }\nWATCH (v > th) 2, (v + 1 < -20 (mV)) 3\n"
    "FOR_NETCONS(w1, t1) { t1 = t }\nnet_send(0, 1)\nprintf(\"%g\\n\", w) }",
    "BEFORE BREAKPOINT { x = 1 }\nAFTER SOLVE { }\nBEFORE INITIAL { }\nAFTER STEP { }\nCONSTRUCTOR { }\n"
    "DESTRUCTOR { }\nDISCRETE d { x = x@1 + A@2[i] }",
    "BREAKPOINT { x = -x^2 + a^b^c - (a - b) - -c / (d * e) * f^(-g) + (a < b) * 2 + !(a || b) && c }",
]


@pytest.mark.parametrize("text", SNIPPETS, ids=range(len(SNIPPETS)))
def test_snippets_round_trip(text):
    assert round_trips(text)


def test_minimal_parentheses():
    a, b, c = B("a"), B("b"), B("c")
    assert to_nmodl(A("-", a, A("-", b, c))) == "a - (b - c)"
    assert to_nmodl(A("-", A("-", a, b), c)) == "a - b - c"
    assert to_nmodl(A("^", A("^", a, b), c)) == "(a^b)^c"
    assert to_nmodl(A("^", a, A("^", b, c))) == "a^b^c"
    assert to_nmodl(ast.Unary("-", A("^", a, b))) == "-a^b"
    assert to_nmodl(A("^", ast.Unary("-", a), b)) == "(-a)^b"
    assert to_nmodl(A("*", A("+", a, b), c)) == "(a + b) * c"
    assert to_nmodl(A("<", A("<", a, b), c)) == "a < b < c"
    assert to_nmodl(A("&&", A("||", a, b), c)) == "(a || b) && c"


def test_statement_and_block_printing():
    assert to_nmodl(ast.Assign(ast.Prime("m"), B("x"))) == "m' = x"
    assert to_nmodl(ast.Solve("s", method="cnexp")) == "SOLVE s METHOD cnexp"
    assert to_nmodl(ast.InitialBlock((ast.Assign(B("x"), ast.Number(1.0)),))) == "INITIAL {\n    x = 1\n}"


# ------------------------------------------------------------------ random expression trees

_names = st.sampled_from(["a", "b", "v", "x1", "m_inf"]).map(B)
_numbers = st.sampled_from(["0", "1", "2.5", ".5", "1e-3", "3E+2"]).map(lambda t: ast.Number(float(t), t))
_leaves = st.one_of(_names, _numbers, _numbers.map(lambda n: ast.UnitNumber(n, "mV")))


def _extend(children):
    ops = st.sampled_from(["+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=", "&&", "||"])
    return st.one_of(
        st.builds(A, ops, children, children),
        st.builds(ast.Unary, st.sampled_from(["-", "!"]), children),
        st.builds(lambda n, args: ast.Call(n, tuple(args)), st.sampled_from(["exp", "f"]),
                  st.lists(children, max_size=3)),
        st.builds(lambda n, i: ast.Indexed(n, i), st.sampled_from(["arr"]), children),
    )


expressions = st.recursive(_leaves, _extend, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_random_expressions_round_trip(e):
    text = f"BREAKPOINT {{ x = {to_nmodl(e)} }}"
    (stmt,) = parse(text).items[0].body
    assert stmt.value == e
