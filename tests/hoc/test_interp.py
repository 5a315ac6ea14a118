"""bridge.hoc.interp and its parts (statements, expressions, names, calls): the HOC language
(values, control flow, procedures, templates, strings)."""

import io

import pytest

from bridge import HocSession
from bridge.errors import BridgeError, HocError


def run(text, **kw):
    out = io.StringIO()
    hoc = HocSession(stdout=out, **kw)
    hoc(text)
    return hoc, out.getvalue()


def test_arithmetic_and_hoc_comparisons():
    hoc, _ = run("a = 7 % 3\nb = -7 % 3\nc = 2^3^2\nd = (0.1 + 0.2 == 0.3)\ne = int(-2.7)\nf = !0 + (3 > 2) * 10")
    assert (hoc.a, hoc.b, hoc.c, hoc.d, hoc.e, hoc.f) == (1.0, 2.0, 512.0, 1.0, -2.0, 11.0)


def test_print_and_printf_format_like_hoc():
    _, out = run('x = 1.5\nprint "x is", x, 1e-7\n{ printf("%d|%5.2f|%s|%g\\n", 3.9, 2, "s", 0.25) }')
    assert out == "x is1.5 1e-07 \n3| 2.00|s|0.25\n"


def test_loops_break_continue():
    hoc, _ = run("s = 0\nfor i = 1, 10 { if (i == 3) continue\n if (i > 5) break\n s += i }\n"
                 "n = 0\nwhile (1) { n += 1  if (n >= 4) break }\n"
                 "for (k = 0; k < 3; k += 1) m = k")
    assert (hoc.s, hoc.n, hoc.m) == (12.0, 4.0, 2.0)


def test_procedures_funcs_locals_and_args():
    hoc, out = run('''
func add() { local t
  t = $1 + $2
  return t
}
proc show() { printf("%s=%g %d\\n", $s1, $2, numarg()) }
obfunc mk() { localobj v
  v = new Vector($1)
  return v
}
objref w
t = 100
y = add(2, 3)
show("y", y)
w = mk(4)
size = w.size()
''')
    assert hoc.y == 5.0 and hoc.t == 100.0 and hoc.size == 4.0
    assert out == "y=5 2\n"


def test_strings_by_reference_and_sprint():
    hoc, _ = run('strdef s, name\nproc setname() { sprint($s1, "cell_%d", $2) }\nsetname(name, 7)\ns = name')
    assert hoc.s == "cell_7"


def test_pointer_arguments_and_iterators():
    hoc, _ = run('''
iterator upto() { local i
  for i = 1, $1 { $&2 = i
    iterator_statement }
}
j = 0
sum = 0
for upto(4, &j) sum += j
proc bump() { $&1 = $&1 + 1 }
bump(&sum)
''')
    assert hoc.sum == 11.0


def test_arrays_and_objects():
    hoc, _ = run('double a[2][3]\na[1][2] = 5\nobjref vs[2]\nvs[1] = new Vector(3)\nvs[1].x[2] = 4\n'
                 'b = a[1][2] + vs[1].x[2]\nobjref l\nl = new List()\nl.append(vs[1])\nc = l.count()')
    assert hoc.b == 9.0 and hoc.c == 1.0


def test_templates_public_members_and_this():
    hoc, out = run('''
begintemplate Counter
public n, inc, me
objref me, this
proc init() { n = $1  me = this }
proc inc() { n += 1 }
endtemplate Counter
objref c, d
c = new Counter(5)
d = new Counter(0)
c.inc()
c.inc()
print c, d, c.me, c.n, d.n
''')
    assert out == "\t0 \n\t0 \nCounter[0] Counter[1] Counter[0] 7 0 \n"  # c.inc() echoes, as in NEURON


def test_private_template_member_is_an_error():
    with pytest.raises(HocError, match="secret is not a public member of T\\[0\\]"):
        run("begintemplate T\npublic x\nproc init() { secret = 1 }\nendtemplate T\nobjref o\no = new T()\ny = o.secret")


def test_template_sees_only_externals_of_the_top_level():
    with pytest.raises(HocError, match="g is not defined"):
        run("g = 3\nbegintemplate T\nproc init() { x = g }\nendtemplate T\nobjref o\no = new T()")
    hoc, _ = run("g = 3\nbegintemplate T\npublic x\nexternal g\nproc init() { x = g }\nendtemplate T\n"
                 "objref o\no = new T()\ny = o.x")
    assert hoc.y == 3.0


def test_execute_and_python_calls():
    hoc, _ = run('execute("q = 42")\nproc p() { r = $1 * 2 }')
    hoc.p(21)
    assert hoc.q == 42.0 and hoc.r == 42.0
    hoc.tstop = 12.5
    assert hoc.tstop == 12.5


def test_undefined_name_reports_location_and_call_stack():
    hoc = HocSession()
    with pytest.raises(HocError) as err:
        hoc("proc inner() { x = nothing_here + 1 }\nproc outer() { inner() }\nouter()")
    text = str(err.value)
    assert "<python>:1:20" in text and "nothing_here is not defined" in text
    assert "outer called at <python>:3:1" in text and "inner called at <python>:2:16" in text


def test_wrong_argument_kind_is_an_error():
    with pytest.raises(HocError, match="argument \\$2 was not passed"):
        run("func f() { return $2 }\nx = f(1)")
    with pytest.raises(HocError, match="division by zero"):
        run("x = 1/0")


def test_endless_loop_hits_the_statement_budget():
    with pytest.raises(HocError, match="statement budget of 10000 exhausted"):
        run("while (1) { }", max_statements=10_000)


def test_endless_recursion_is_bounded():
    with pytest.raises(HocError, match="nested deeper than 100"):
        run("proc f() { f() }\nf()")


def test_deep_expression_does_not_crash_python():
    with pytest.raises(BridgeError, match="nested too deep"):
        run("x = " + " + ".join(["1"] * 20000))


def test_quit_stops_reading():
    hoc, _ = run("a = 1\nquit()\na = 2")
    assert hoc.a == 1.0


def test_data_files_are_read_inside_the_model_folder(tmp_path):
    (tmp_path / "data.dat").write_text("header words\n3 1.5 2.5\nname here\n")
    out = io.StringIO()
    hoc = HocSession(cwd=tmp_path, stdout=out)
    hoc('ok = ropen("data.dat")\nn = fscan()\na = fscan() + fscan()\nstrdef line\ngetstr(line)\ngetstr(line)\n'
        'ropen()\nmissing = ropen("nothere.dat")\nobjref f\nf = new File()\nf.ropen("data.dat")\nstrdef w\n'
        'f.scanstr(w)\nf.close()')
    assert (hoc.ok, hoc.n, hoc.a, hoc.line, hoc.missing, hoc.w) == (1.0, 3.0, 4.0, "name here\n", 0.0, "header")


def test_objects_by_template_index_and_vector_call_assignment():
    hoc, _ = run("begintemplate T\npublic k\nproc init() { k = $1 }\nendtemplate T\nobjref a, b\n"
                 "a = new T(4)\nb = new T(9)\nx = T[1].k\nobjref vv\nvv = new Vector(3)\nvv.x(2) = 7\ny = vv.x[2]")
    assert (hoc.x, hoc.y) == (9.0, 7.0)


def test_cvode_request_is_recorded_with_a_warning():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hoc, _ = run("create soma\ncvode_active(1)")
    assert any("CVODE" in str(w.message) for w in caught)
    assert hoc.model().protocol.cvode is True


def test_parallel_context_in_one_process():
    hoc, _ = run("objref pc\npc = new ParallelContext()\nn = pc.nhost()\ni = pc.id()\ncreate soma\n"
                 "stdinit()\npc.psolve(12)\n")
    assert (hoc.n, hoc.i) == (1.0, 0.0)
    assert hoc.model().protocol.tstop == 12.0
    hoc("n2 = pc.nhost\ni2 = pc.id")  # a method without parentheses is called
    assert (hoc.n2, hoc.i2) == (1.0, 0.0)
    hoc("pc.set_gid2node(0, 0)")  # gids: bridge.hoc.parallel (tests/hoc/test_netcon_neuron.py)
    assert hoc("x = pc.gid_exists(0)") is None and hoc.x == 1.0
    assert hoc("x = pc.post(1)") is None and hoc.x == 1.0  # the bulletin board: tests/hoc/test_bulletin.py
    with pytest.raises(HocError, match="ParallelContext.splitcell_connect.. is not supported"):
        hoc("pc.splitcell_connect(1)")  # (source_var/target_var: tests/hoc/test_partrans.py)


@pytest.mark.parametrize("text, line", [
    ("x = 1\nbreak\n", 2),
    ("x = 1\n{ x = 2  continue }\n", 2),
    ("proc p() {\n  continue\n}\nfor i = 0, 1 { p() }\n", 2),
    ("func f() {\n  x = 1\n  break\n}\ny = f()\n", 3),
    ('for i = 0, 1 { execute("break") }\n', 1),
])
def test_break_or_continue_outside_a_loop_is_refused_where_it_is(tmp_path, text, line):
    (tmp_path / "jump.hoc").write_text(text)
    with pytest.raises(HocError) as err:
        HocSession(cwd=tmp_path).load_file(tmp_path / "jump.hoc")
    assert "outside a loop" in str(err.value)
    assert f":{line}:" in str(err.value)


def test_break_and_continue_inside_loops_and_iterators_still_work():
    hoc = HocSession()
    hoc("iterator it() { local i\n for i = 1, 5 { $&1 = i  iterator_statement } }\n"
        "n = 0\nk = 0\nfor it(&k) { if (k == 2) continue\n if (k == 4) break\n n += k }\n"
        "m = 0\nproc p() { local i\n for i = 1, 9 { if (i > 3) break\n m += i } }\nfor j = 0, 1 { p() }")
    assert hoc.n == 1 + 3
    assert hoc.m == 2 * (1 + 2 + 3)


def test_assigning_an_object_argument_that_is_no_objref_fails_as_in_neuron():
    """NEURON: "Assignment to $o only allowed if caller arg was declared as objref" (the objref case:
    tests/hoc/data/objref_args.hoc against NEURON)."""
    hoc, _ = run("objref d\nd = new Vector(2)\nproc expr() { $o1 = new Vector(7) }\n")
    with pytest.raises(HocError, match="Assignment to .o only allowed if caller arg was declared as objref"):
        hoc("expr(d.c())")
