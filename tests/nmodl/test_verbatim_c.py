"""VERBATIM C: what bridge translates (bridge.nmodl.analysis.verbatim) and what it refuses, with file:line:col.

Parity with NEURON of the translated constructs: tests/validation/test_verbatim_c.py.
"""

from __future__ import annotations

import re
import warnings

import pytest

from bridge.errors import UnsupportedFeature
from bridge.nmodl.load import analyze_text
from bridge.nmodl.syntax import ast
from bridge.nmodl.syntax.printer import to_nmodl
from bridge.nmodl.syntax.verbatim import CRefused

HEAD = """NEURON {
  SUFFIX t
  USEION ca READ cai, ica WRITE cai
  USEION k READ ik
  RANGE x, y
}
PARAMETER { p = 2 }
STATE { cai (mM) }
ASSIGNED { x y ica ik v }
"""
LINE0 = HEAD.count("\n")  # the first line after HEAD is LINE0 + 1


def _analyze(body: str, reach: bool = False):
    """`reach`: an INITIAL (or BREAKPOINT) block calls every FUNCTION/PROCEDURE, so the run reaches their C (C that
    only HOC reaches is refused when HOC calls it)."""
    if reach:
        calls = [f"  {'x = ' if kind == 'FUNCTION' else ''}{name}({', '.join('0' for a in args.split(',') if a)})"
                 for kind, name, args in re.findall(r"(FUNCTION|PROCEDURE) (\w+)\(([^)]*)\)", body)]
        block = "INITIAL" if "INITIAL" not in body else "BREAKPOINT"
        body += f"{block} {{\n" + "\n".join(calls) + "\n}\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze_text(HEAD + body, "t.mod")


def _statements(info, cls):
    return [st for b in info.program.of_type(cls) for st in b.body]


def test_assignments_ifs_and_names_become_nmodl_statements():
    info = _analyze("""INITIAL {
  VERBATIM
  x = (v + 60.0) / (60.0);  // plain names: the mechanism's variables
  if (t > p) { y = 1; } else if (x != 0) y -= x; else ;
  cai = _ion_cai;
  ENDVERBATIM
}
""")
    body = _statements(info, ast.InitialBlock)
    assert body[0] == ast.Assign(ast.Name("x"), ast.Binary("/", ast.Binary("+", ast.Name("v"), ast.Number(60.0)),
                                                           ast.Number(60.0)))
    assert isinstance(body[1], ast.If) and body[1].orelse is not None
    assert body[2] == ast.Assign(ast.Name("cai"), ast.IonValue("cai"))
    assert body[0].loc.line == LINE0 + 3 and body[0].loc.column == 3


def test_locals_and_arguments_are_underscore_l_names():
    info = _analyze("""FUNCTION f(a) {
  LOCAL b
  b = 1
  VERBATIM
  _lb += _la * exp(_lb);
  _lf = _lb;
  ENDVERBATIM
}
""")
    body = info.functions["f"].body
    assert body[-2] == ast.Assign(ast.Name("b"), ast.Binary("+", ast.Name("b"), ast.Binary(
        "*", ast.Name("a"), ast.Call("exp", (ast.Name("b"),)))))
    assert body[-1] == ast.Assign(ast.Name("f"), ast.Name("b"))


def test_c_locals_become_locals_and_c_ints_truncate():
    info = _analyze("""FUNCTION f(a) {
  VERBATIM
  double r = 1/2 + _la, s;
  int k = (int) r, m;
  if (k > 0) { s = 1; } else s = (double) k / 2;
  m = k / 2;
  k += 0.5;
  ENDVERBATIM
  f = r + s
}
""")
    body = info.functions["f"].body
    local = [st.names[0].name for st in body if isinstance(st, ast.Local)]
    assert local == ["r", "s", "k", "m"]
    half = ast.Binary("/", ast.Number(1.0, "1"), ast.Number(2.0, "2"))
    assert body[1] == ast.Assign(ast.Name("r"), ast.Binary("+", ast.CInt(half), ast.Name("a")))
    assert body[4] == ast.Assign(ast.Name("k"), ast.CInt(ast.Name("r")))
    orelse = body[6].orelse  # (double) k / 2: a double division
    assert orelse == (ast.Assign(ast.Name("s"), ast.Binary("/", ast.Name("k"), ast.Number(2.0, "2"))),)
    assert body[7] == ast.Assign(ast.Name("m"), ast.CInt(ast.Binary("/", ast.Name("k"), ast.Number(2.0, "2"))))
    assert body[8] == ast.Assign(ast.Name("k"), ast.CInt(ast.Binary("+", ast.Name("k"), ast.Number(0.5, "0.5"))))
    assert body[-1] == ast.Assign(ast.Name("f"), ast.Binary("+", ast.Name("r"), ast.Name("s")))


def test_c_int_converts_as_c_and_gives_nan_where_c_is_undefined():
    import jax.numpy as jnp
    import numpy as np

    import bridge.solver  # noqa: F401  (JAX's float64 mode, as in a run)
    from bridge.nmodl.runtime.libm import c_int

    values = [2.7, -2.7, -0.5, 7.0 / -2.0, 2147483647.9, -2147483648.9, 2147483648.0, -2147483649.0, np.nan, np.inf]
    want = [2.0, -2.0, 0.0, -3.0, 2147483647.0, -2147483648.0, np.nan, np.nan, np.nan, np.nan]
    np.testing.assert_array_equal([float(c_int(x)) for x in values], want)
    np.testing.assert_array_equal(np.asarray(c_int(jnp.asarray(values))), want)
    assert float(c_int(True)) == 1.0


def test_an_unused_c_local_is_fine_and_nmodl_reading_an_unset_one_is_refused():
    _analyze("INITIAL {\n  VERBATIM\n  int i; double d;\n  ENDVERBATIM\n}\n")
    with pytest.raises(UnsupportedFeature, match="the C local r read before") as exc:
        _analyze("FUNCTION f() {\n  VERBATIM\n  double r;\n  ENDVERBATIM\n  f = r\n}\n", reach=True)
    assert exc.value.location.line == LINE0 + 5
    _analyze("FUNCTION f() {\n  VERBATIM\n  double r;\n  ENDVERBATIM\n  r = 2\n}\n")  # assigned, not read
    with pytest.raises(UnsupportedFeature, match="the C local r read before"):  # only if x > 0
        _analyze("FUNCTION f() {\n  VERBATIM\n  double r;\n  ENDVERBATIM\n  if (x > 0) {\n  VERBATIM\n  r = 1;\n"
                 "  ENDVERBATIM\n  }\n  f = r\n}\n", reach=True)


def test_nmodl_code_reading_a_c_int_is_refused():
    with pytest.raises(UnsupportedFeature, match="NMODL code using the C int k") as exc:
        _analyze("FUNCTION f() {\n  VERBATIM\n  int k = 3;\n  ENDVERBATIM\n  f = k / 2\n}\n", reach=True)
    assert exc.value.location.line == LINE0 + 5


def test_a_return_closing_the_last_if_of_a_procedure_is_the_end():
    info = _analyze("PROCEDURE pr() {\n  if (x > 0) {\n    y = 1\n    VERBATIM\n    return 0;\n    ENDVERBATIM\n"
                    "  } else {\n    VERBATIM\n    return 0;\n    ENDVERBATIM\n  }\n}\n")
    st = info.procedures["pr"].body[0]
    assert isinstance(st, ast.If) and len(st.body) == 1 and st.orelse == ()
    with pytest.raises(UnsupportedFeature, match="'return' other than"):
        _analyze("PROCEDURE pr() {\n  if (x > 0) {\n    VERBATIM\n    return 0;\n    ENDVERBATIM\n  }\n  y = 1\n}\n",
                 reach=True)


def test_macros_carry_from_block_to_block_and_skipped_groups_vanish():
    info = _analyze("""VERBATIM
#define NSYN 4
#define GAIN (-2.5)
#if 0
garbage @ that C never compiles
#endif
ENDVERBATIM
INITIAL {
  VERBATIM
#if NSYN > 3 && defined(GAIN)
  x = NSYN / 3 * GAIN;
#else
  x = 0;
#endif
  ENDVERBATIM
}
""")
    body = _statements(info, ast.InitialBlock)
    four_thirds = ast.CInt(ast.Binary("/", ast.Number(4.0, "4"), ast.Number(3.0, "3")))
    assert body == [ast.Assign(ast.Name("x"), ast.Binary("*", four_thirds, ast.Number(-2.5, "-2.5")))]


@pytest.mark.parametrize("text, words", [
    ("VERBATIM\n#define p 3\nENDVERBATIM\n", "the C macro p"),  # a PARAMETER's name
    ("VERBATIM\n#define N 3\nENDVERBATIM\nINITIAL { LOCAL N\n N = 1 }\n", "the C macro N"),
    ("VERBATIM\n#define N 3\n#define N 4\nENDVERBATIM\n", "defined already"),
    ("VERBATIM\n#define NRN_VECTORIZED 1\nENDVERBATIM\n", "defined already"),
])
def test_a_macro_nmodl_code_would_see_is_refused(text, words):
    with pytest.raises(UnsupportedFeature, match=words):
        _analyze(text)


def test_nrn_vectorized_is_unknown_in_a_threadsafe_file():
    text = ("NEURON { SUFFIX w THREADSAFE RANGE x }\nASSIGNED { x }\nINITIAL {\n  VERBATIM\n#if NRN_VECTORIZED\n"
            "  x = 1;\n#endif\n  ENDVERBATIM\n}\n")
    with pytest.raises(UnsupportedFeature, match="NRN_VECTORIZED in an #if"):
        analyze_text(text, "w.mod")


def test_noops_and_output_leave_nothing_and_printf_warns_with_its_line():
    text = """VERBATIM
#include <math.h>
static const char rcsid[] = "$Id: t.mod $";
ENDVERBATIM
PROCEDURE seed(s) {
  VERBATIM
  printf("seed %g\\n", _ls);
  fprintf(stderr, "done\\n");
  return 0;
  ENDVERBATIM
}
"""
    with pytest.warns(UserWarning, match=rf"t.mod:{LINE0 + 7}:3: VERBATIM printf\(\)"):
        info = analyze_text(HEAD + text, "t.mod")
    assert info.procedures["seed"].body == ()
    assert not any(isinstance(n, ast.Verbatim) for n in ast.walk(info.program))


@pytest.mark.parametrize("code, line, col, words", [
    ("x = (float)y;", 1, 14, "a declaration or cast"),
    ("long n = 2;", 1, 8, "a declaration or cast"),
    ("static double z = 1;", 1, 19, "a declaration or cast"),
    ("double y = 1;", 1, 10, "a C local named y"),
    ("double _lz = 1;", 1, 10, "a C local named _lz"),
    ("double exp = 1;", 1, 10, "a C local named exp"),
    ("int q = 1;", 1, 7, "a C local named q"),
    ("double z = 1, z = 2;", 1, 17, "a C local named z"),
    ("double z; x = z;", 1, 17, "read before it is assigned"),
    ("double z = z + 1;", 1, 14, "read before it is assigned"),
    ("double z; if (x > 0) z = 1;\n  x = z;", 2, 7, "read before it is assigned on every path"),
    ("double z; if (x > 0) z = 1; else { z = 2; }\n  x = z; double w;\n  y = w;", 3, 7, "the C local w read"),
    ("x = 010;", 1, 7, "octal"),
    ("x = 99999999999;", 1, 7, "beyond C's int"),
    ("x = 1.5f;", 1, 10, "'f'"),
    ("x = y % 2;", 1, 9, "C outside the subset"),
    ("\n  for (i = 0; i < 3; i++) { x = i; }", 2, 10, "a loop"),
    ("\n  while (x < 1) { x += 1; }", 2, 17, "a loop"),
    ("x = *hoc_pgetarg(1);", 1, 8, "(a pointer)"),
    ("x = *getarg(2);", 1, 8, "*getarg(2) beyond the 1 arguments of q"),
    ("x = y[2];", 1, 7, "the C array element y[...]"),
    ("double *px = &x;", 1, 10, "(a pointer)"),
    ("x = hoc_call_func(0, 1);", 1, 7, "a call of hoc_call_func()"),
    ("set_seed(_la);", 1, 3, "a call of set_seed() as a statement"),
    ("pv = (double*)malloc(8);", 1, 15, "(a pointer)"),
    ("x = nsyn;", 1, 7, "the C name nsyn"),
    ("x = _ion_ko;", 1, 7, "_ion_ko"),
    ("x = _ion_ica;", 1, 7, "_ion_ica"),
    ("t = 1;", 1, 3, "assigning the C name t"),
    ("a = 1;", 1, 3, "hides in NMODL"),
    ("if (x > 0) { return 0; }", 1, 16, "'return' inside"),
    ("x = abs(y);", 1, 7, "a call of abs()"),
    ("printf(x);", 1, 3, "without a format string"),
    ("fprintf(fp, \"%g\", x);", 1, 3, "fprintf to a stream"),
    ("#define F(a) (a)", 1, 1, "function-like"),
    ("#define N y", 1, 1, "other than a number"),
    ("#if DEBUG\n  x = 1;\n#endif", 1, 1, "DEBUG in an #if"),
    ("#ifdef DEBUG\n  x = 1;\n#endif", 1, 1, "definition bridge does not know"),
    ("#if NRN_VERSION_GTEQ(9, 0)\n#endif", 1, 1, "three integer arguments"),
    ("#undef exp", 1, 1, "#undef of exp"),
    ("#pragma once", 1, 1, "#pragma"),
    ("#error stop", 1, 1, "#error"),
    ("#define N \\\n 3", 1, 1, "continued"),
    ("#if 1\n  x = 1;", 1, 1, "without #endif"),
    ("#define N 3\n  N = 1;", 2, 3, "the C macro N where C needs a name"),
    ("#define E\n  x = E;", 2, 7, "defined empty"),
    ("#define N 010\n  x = N;", 2, 7, "decimal int"),
    ("#include \"nrnran123.h\"", 1, 3, "preprocessor"),
    ("#include <nrnran123.h>", 1, 3, "not C's own"),
    ("x = \"s\";", 1, 7, "a string outside printf"),
    ("x = y ? 1 : 2;", 1, 9, "C outside the subset"),
])
def test_outside_the_subset_is_refused_at_the_construct(code, line, col, words):
    text = f"PROCEDURE q(a) {{\n  VERBATIM\n  {code}\n  ENDVERBATIM\n  x = 1\n}}\n"
    with pytest.raises(UnsupportedFeature) as exc:
        _analyze(text, reach=True)
    assert words in str(exc.value) and "VERBATIM block" in str(exc.value)
    loc = exc.value.location
    assert (loc.filename, loc.line, loc.column) == ("t.mod", LINE0 + 2 + line, col), str(exc.value)


@pytest.mark.parametrize("text, words", [
    ("VERBATIM\nstatic double z;\nENDVERBATIM\n", "a declaration"),
    ("VERBATIM\nx = 1;\nENDVERBATIM\n", "VERBATIM C code at file level"),
    # NET_RECEIVE's arguments are nocmodl's _args[k]: no C name `_lw` or `w` reaches them
    ("NET_RECEIVE(w) {\n  VERBATIM\n  x = _lw;\n  ENDVERBATIM\n}\n", "_args"),
    ("NET_RECEIVE(w) {\n  VERBATIM\n  w = 1;\n  ENDVERBATIM\n}\n", "_args"),
    ("BEFORE BREAKPOINT {\n  VERBATIM\n  x = 1;\n  ENDVERBATIM\n}\n", "BEFORE/AFTER block"),
    ("DERIVATIVE d {\n  cai' = 0\n  VERBATIM\n  x = 1;\n  ENDVERBATIM\n}\n", "DERIVATIVE block"),
    ("FUNCTION f() {\n  f = 1\n  VERBATIM\n  return 0;\n  ENDVERBATIM\n}\n", "'return' other than"),
    ("PROCEDURE p() {\n  VERBATIM\n  return 1;\n  ENDVERBATIM\n}\n", "'return' other than"),
])
def test_other_places_and_returns_are_refused(text, words):
    with pytest.raises(UnsupportedFeature, match=words):
        _analyze(text, reach=True)


def test_net_receive_c_becomes_nmodl_statements():
    # ModelDB 190559's fzap.mod: `on = (double)(on == 0.0);` toggles a flag on a self-event (run against NEURON in
    # tests/hoc/test_pointer_global.py)
    text = """NEURON { POINT_PROCESS P }
ASSIGNED { on }
NET_RECEIVE(w) {
  LOCAL k
  if (flag == 1) {
VERBATIM
    _lk = 2.0;
    on = (double)(on == 0.0) * _lk;
ENDVERBATIM
  }
}
"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        info = analyze_text(text, "p.mod")
    body = [st for b in info.program.of_type(ast.NetReceiveBlock) for st in b.body]
    inner = body[-1].body
    assert inner[0] == ast.Assign(ast.Name("k"), ast.Number(2.0))
    assert isinstance(inner[1], ast.Assign) and inner[1].target == ast.Name("on")
    assert "on == 0" in to_nmodl(inner[1]).replace("0.0", "0") and "* k" in to_nmodl(inner[1])


def test_the_text_is_bounded_and_deep_nesting_refused():
    with pytest.raises(UnsupportedFeature, match="characters"):
        _analyze("INITIAL {\n  VERBATIM\n" + "x = 1;\n" * 5000 + "  ENDVERBATIM\n}\n")
    with pytest.raises(UnsupportedFeature, match="nested more than"):
        _analyze("INITIAL {\n  VERBATIM\n  x = " + "-(" * 150 + "y" + ")" * 150 + ";\n  ENDVERBATIM\n}\n")
    with pytest.raises(UnsupportedFeature, match="nested more than"):
        _analyze("INITIAL {\n  VERBATIM\n  x = y" + " + y" * 3000 + ";\n  ENDVERBATIM\n}\n")


def test_a_hoc_call_of_a_procedure_reading_the_ion_storage_is_refused():
    from bridge.nmodl.analysis.hoc_calls import hoc_calls

    info = _analyze("PROCEDURE q() {\n  VERBATIM\n  x = _ion_cai;\n  ENDVERBATIM\n}\n")
    calls = hoc_calls(info)
    assert calls.roles["_ion_cai"].startswith("unsupported")


C_FUNCTIONS = """VERBATIM
void in_t_breakpoint() {}
static double half(double a) { return a / 2; }
double pick(double a, double b) {
  int k = (int) a;
  if (k > 1) { return half(b); } else return k;
}
ENDVERBATIM
BREAKPOINT {
  VERBATIM
  in_t_breakpoint();
  x = pick(y, v) + later(2);
  ENDVERBATIM
}
VERBATIM
double later(double z) { return z; }
ENDVERBATIM
"""


def test_c_functions_become_functions_and_procedures():
    info = _analyze(C_FUNCTIONS)
    assert set(info.functions) == {"half", "pick", "later"} and set(info.procedures) == {"in_t_breakpoint"}
    assert info.c_functions == {"half", "pick", "later", "in_t_breakpoint"}
    assert to_nmodl(info.functions["pick"]).count("pick = ") == 2  # the returns set its value


@pytest.mark.parametrize("text, words", [
    ("VERBATIM\nint f(double a) { return 1; }\nENDVERBATIM\n", "returning int"),
    ("VERBATIM\ndouble f(double a) { if (a > 0) return 1.0; return a; }\nENDVERBATIM\n", "before the end"),
    ("VERBATIM\ndouble f(double a) { if (a > 0) { return 1.0; } }\nENDVERBATIM\n", "may end without 'return'"),
    ("VERBATIM\ndouble f(double a) { return x; }\nENDVERBATIM\n", "the C name x in the C function f"),
    ("VERBATIM\ndouble f(double a) { y = a; return a; }\nENDVERBATIM\n", "assigning the C name y"),
    ("VERBATIM\ndouble f(double a) { return g(a); }\ndouble g(double a) { return a; }\nENDVERBATIM\n",
     "a call of g()"),
    ("VERBATIM\ndouble f(double a) { return f(a); }\nENDVERBATIM\n", "a call of f()"),
    ("VERBATIM\ndouble x(double a) { return a; }\nENDVERBATIM\n", "a C function named x"),
    ("VERBATIM\ndouble exp(double a) { return a; }\nENDVERBATIM\n", "a C function named exp"),
    ("VERBATIM\ndouble f(double v) { return v; }\nENDVERBATIM\n", "a C local named v"),
    ("VERBATIM\nvoid f() { return 1.0; }\nENDVERBATIM\n", "in the void C function"),
    ("VERBATIM\nvoid f() {}\nENDVERBATIM\nINITIAL {\n  VERBATIM\n  x = f();\n  ENDVERBATIM\n}\n",
     "the value of the void"),
    ("VERBATIM\ndouble f(double a) { return a; }\nENDVERBATIM\n"
     "INITIAL {\n  VERBATIM\n  x = f(1, 2);\n  ENDVERBATIM\n}\n", "f\\(\\) with 2 arguments"),
    ("VERBATIM\ndouble f(double a) { return a; }\nENDVERBATIM\nINITIAL { x = f(1) }\n", "NMODL code calling"),
    ("INITIAL {\n  VERBATIM\n  x = g(1);\n  ENDVERBATIM\n}\n", "a call of g\\(\\) \\(bridge runs C's math"),
    ("VERBATIM\ndouble f(double *a) { return 1; }\nENDVERBATIM\n", "C outside the subset"),
])
def test_c_functions_outside_the_subset_are_refused(text, words):
    with pytest.raises(UnsupportedFeature, match=words):
        _analyze(text)


LOOP = "PROCEDURE fill(n) {\n  VERBATIM\n  for (;;) {}\n  ENDVERBATIM\n}\n"


def test_c_that_only_hoc_calls_is_refused_when_called():
    info = _analyze(LOOP + "FUNCTION f(n) {\n  fill(n)\n  f = 1\n}\nFUNCTION g() { g = 2 }\n")
    for name in ("fill", "f"):
        block = info.functions.get(name) or info.procedures[name]
        assert isinstance(block.body[0], CRefused) and "a loop" in block.body[0].message
    assert "calls fill()" in info.functions["f"].body[0].message
    assert not isinstance(info.functions["g"].body[0], CRefused)


@pytest.mark.parametrize("text", [
    "BREAKPOINT {\n  fill(1)\n}\n",  # the run would run the C
    "INITIAL {\n  x = f(1)\n}\nFUNCTION f(n) {\n  fill(n)\n  f = 1\n}\n",
    "BREAKPOINT {\n  SOLVE fill\n}\n",
])
def test_c_that_the_run_reaches_is_refused_with_the_file(text):
    with pytest.raises(UnsupportedFeature, match="a loop") as exc:
        _analyze(LOOP + text)
    assert exc.value.location.line == LINE0 + 3


def test_c_with_preprocessor_lines_or_a_table_is_not_left_for_hoc():
    with pytest.raises(UnsupportedFeature, match="a loop"):
        _analyze("PROCEDURE fill(n) {\n  VERBATIM\n#define N 3\n  for (;;) {}\n  ENDVERBATIM\n}\n")
    with pytest.raises(UnsupportedFeature, match="a loop"):  # NEURON builds the table at finitialize: runs the C
        _analyze("FUNCTION f(n) {\n  TABLE FROM 0 TO 1 WITH 10\n  VERBATIM\n  for (;;) {}\n  ENDVERBATIM\n"
                 "  f = n\n}\n")


GETARG = "FUNCTION sq(a, b) {\n  VERBATIM\n  double r = *getarg(1) * *getarg(2);\n  ENDVERBATIM\n  sq = r\n}\n"


def test_getarg_is_the_argument_hoc_passes():
    info = _analyze(GETARG + "PROCEDURE pq() {\n  x = sq(1, 2)\n}\n")
    assert "r = a * b" in to_nmodl(info.functions["sq"])
    assert isinstance(info.procedures["pq"].body[0], CRefused)  # from p, getarg would read p's HOC arguments
    assert "calls sq()" in info.procedures["pq"].body[0].message


@pytest.mark.parametrize("text, words", [
    (GETARG + "INITIAL { x = sq(1, 2) }\n", "code calling sq\\(\\), whose C reads HOC's arguments"),
    ("INITIAL {\n  VERBATIM\n  x = *getarg(1);\n  ENDVERBATIM\n}\n", "outside a FUNCTION or PROCEDURE"),
    ("VERBATIM\ndouble f(double a) { return *getarg(1); }\nENDVERBATIM\n", "outside a FUNCTION or PROCEDURE"),
])
def test_getarg_the_run_reaches_is_refused(text, words):
    with pytest.raises(UnsupportedFeature, match=words):
        _analyze(text)


def test_an_unknown_call_in_c_only_hoc_calls_is_refused_when_called():
    """asin.mod's `ret = (double)time(0)/3600.0;` in a FUNCTION nothing of the run calls: refused when HOC calls
    it; a call with a string argument keeps its own message (hoc_execerror is no C function of the file)."""
    info = _analyze("FUNCTION mytime() {\n  VERBATIM\n  double ret = 0.0;\n  ret = (double)time(0)/3600.0;\n"
                    "  ENDVERBATIM\n  mytime = ret\n}\n")
    assert isinstance(info.functions["mytime"].body[0], CRefused)
    assert "a call of time()" in info.functions["mytime"].body[0].message
    with pytest.raises(UnsupportedFeature, match="a call of hoc_execerror\\(\\) as a statement"):
        _analyze("PROCEDURE q() {\n  VERBATIM\n  hoc_execerror(\"full\", 0);\n  ENDVERBATIM\n}\n", reach=True)


ARRAYS = """NEURON {
  SUFFIX t
  RANGE x, y
  GLOBAL arr
}
ASSIGNED { x y arr[2] }
"""


def _loop(c: str, index: str = "j") -> str:
    """An INITIAL with a FROM loop over LOCAL j around VERBATIM `c` (nocmodl's C names the index `_lj`, an int)."""
    return (ARRAYS + f"INITIAL {{\n  LOCAL a, j, k\n  a = 0.5\n  FROM {index} = 0 TO 1 {{\n    VERBATIM\n    {c}\n"
            "    ENDVERBATIM\n  }\n}\n")


def test_a_switch_becomes_an_if_chain_and_array_elements_indexed_names():
    """bg.inc's C (ModelDB 7399, 7400, 12631, 52034, 136095): `switch (_lj)` on the FROM index, `Tau[_lj]`, an
    assignment compared in an if (run first, then compared)."""
    info = analyze_text(_loop("switch (_lj) { case 0: if ((arr[_lj] = 1 / (_la + 1)) < y) { arr[_lj] = y; } break;\n"
                              "    case 1: case 2: x = arr[_lj]; break; default: x = -1; }"), "t.mod")
    loop = _statements(info, ast.InitialBlock)[-1]
    assert isinstance(loop, ast.From)
    (first,) = loop.body
    j, element = ast.Name("j"), ast.Indexed("arr", ast.Name("j"))
    assert isinstance(first, ast.If) and first.condition == ast.Binary("==", j, ast.Number(0.0))
    (group,) = first.body
    assign, test = group.body
    assert assign == ast.Assign(element, ast.Binary("/", ast.Number(1.0), ast.Binary("+", ast.Name("a"),
                                                                                     ast.Number(1.0))))
    assert test.condition == ast.Binary("<", element, ast.Name("y"))
    (second,) = first.orelse
    assert second.condition == ast.Binary("||", ast.Binary("==", j, ast.Number(1.0)),
                                          ast.Binary("==", j, ast.Number(2.0)))
    (default,) = second.orelse
    assert default.body == (ast.Assign(ast.Name("x"), ast.Unary("-", ast.Number(1.0))),)


@pytest.mark.parametrize("c, words", [
    ("switch (_lj) { case 0: x = 1; case 1: x = 2; break; }", "falls through"),
    ("switch (_lj) { case 0: if (x > 0) break; x = 1; break; }", "'break' other than"),
    ("break;", "'break' other than"),
    ("switch (_la) { case 0: x = 1; break; }", "not a C int"),
    ("switch (_lj) { case 1.5: x = 1; break; }", "a case label other than an integer"),
    ("switch (_lj) { case 1: x = 1; break; case 1: break; }", "used twice"),
    ("switch (_lj) { x = 1; case 0: break; }", "before the first case"),
    ("x = arr[_la];", "not a C int"),
    ("x = y[_lj];", "the C array element y[...]"),
    ("arr[_lj] += 1; x = _lk[_lj];", "the C array element _lk[...]"),
    ("x = (y = 2) + 1;", "an assignment inside an expression"),
    ("if ((y = 1) < y + 1) x = 1;", "unsequenced"),
    ("if ((y = 1) < 2 && x > 0) x = 1;", "an assignment inside an expression"),
    ("switch ((int)(y = 1)) { case 0: break; }", "an assignment"),
    ("_lj = 2;", "the index of the FROM loop"),
    ("x = j;", "hides in NMODL"),
])
def test_switch_elements_and_assignments_outside_the_subset_are_refused(c, words):
    with pytest.raises(UnsupportedFeature, match=re.escape(words)):
        analyze_text(_loop(c), "t.mod")


def test_the_loop_index_is_an_int_only_inside_its_loop():
    """Outside the FROM loop `_lj` is the double LOCAL j: C refuses to switch on it, and so does bridge."""
    text = ARRAYS + ("INITIAL {\n  LOCAL j\n  j = 0\n  VERBATIM\n  switch (_lj) { case 0: x = 1; break; }\n"
                     "  ENDVERBATIM\n}\n")
    with pytest.raises(UnsupportedFeature, match="not a C int"):
        analyze_text(text, "t.mod")
