"""bridge.hoc.parse: HOC text to typed nodes, and syntax errors with file:line:col."""

import pytest

from bridge.errors import HocSyntaxError
from bridge.hoc import ast
from bridge.hoc.parse import parse


def test_statements_become_typed_nodes_with_locations():
    prog = parse("create soma, dend[3]\nsoma { nseg = 3 L = 20 insert hh }\n", "m.hoc")
    create, stack = prog.body
    assert isinstance(create, ast.Create)
    assert [d.name for d in create.decls] == ["soma", "dend"]
    assert isinstance(create.decls[1].dims[0], ast.Num) and create.decls[1].dims[0].value == 3
    assert isinstance(stack, ast.SectionStmt) and isinstance(stack.body, ast.Block)
    assert [type(s).__name__ for s in stack.body.body] == ["ExprStmt", "ExprStmt", "Insert"]
    assert (stack.loc.filename, stack.loc.line, stack.loc.column) == ("m.hoc", 2, 1)
    assert stack.body.body[1].loc.column == 17


@pytest.mark.parametrize("text, kind", [
    ("connect dend(0), soma(1)", ast.Connect),
    ("soma connect dend[0] (0), 0.5", ast.SectionStmt),
    ("for (x) print x", ast.ForSegment),
    ("for (x, 0) print x", ast.ForSegment),
    ("for (i = 0; i < 3; i += 1) print i", ast.ForC),
    ("for i = 0, 3 print i", ast.ForRange),
    ("for it(1, 2) print 1", ast.ForIterator),
    ("forsec \"dend\" insert pas", ast.Forsec),
    ("ifsec \"dend\" insert pas", ast.Forsec),
    ("forall nseg = 3", ast.Forall),
    ("diam(0:1) = 2:3", ast.Taper),
    ("soma.gnabar_hh(0.5) = 0.1", ast.ExprStmt),
    ("proc f() { local a\n a = $1 }", ast.FuncDef),
    ("obfunc f() { localobj v\n v = new Vector() return v }", ast.FuncDef),
    ("if (a) { b = 1 }\nelse { b = 2 }", ast.If),
    ("while (x < 3) x += 1", ast.While),
    ("objref a, b[3]", ast.Objref),
    ("double x[2][3]", ast.DoubleDecl),
    ("strdef s", ast.Strdef),
    ("v.record(&soma.v(0.5))", ast.ExprStmt),
])
def test_constructs(text, kind):
    assert isinstance(parse(text).body[0], kind)


def test_template_statements_are_grouped():
    prog = parse("begintemplate A\npublic x\nx = 1\nendtemplate A\n")
    (tpl,) = prog.body
    assert isinstance(tpl, ast.Template) and tpl.name == "A"
    assert isinstance(tpl.body[0], ast.Public)


def test_operators_follow_hoc_precedence():
    (stmt,) = parse("x = -2^2 + 3*4 > 1 && 1 || 0").body
    e = stmt.expr.value
    assert e.op == "||" and e.left.op == "&&" and e.left.left.op == ">"
    assert e.left.left.left.op == "+" and e.left.left.left.left.op == "-"  # -(2^2)


def test_comments_continuations_and_help_lines():
    prog = parse("/* a\n b */ x = 1 // c\ny = 2 + \\\n 3\nhelp ?0\n")
    assert len(prog.body) == 2
    assert prog.body[1].loc.line == 3


def test_top_level_needs_one_statement_per_line():
    with pytest.raises(HocSyntaxError) as err:
        parse("x = 1 y = 2", "top.hoc")
    assert "top.hoc:1:7" in str(err.value)
    assert "    x = 1 y = 2\n          ^" in str(err.value)


def test_syntax_error_names_file_line_and_column():
    with pytest.raises(HocSyntaxError) as err:
        parse("create soma\nsoma { L = }\n", "bad.hoc")
    e = err.value
    assert (e.location.filename, e.location.line, e.location.column) == ("bad.hoc", 2, 12)
    assert "unexpected '}'" in str(e)


def test_unclosed_brace_is_reported_at_end_of_file():
    with pytest.raises(HocSyntaxError) as err:
        parse("proc f() {\n x = 1\n", "open.hoc")
    assert "end of file" in str(err.value)


def test_unmatched_endtemplate():
    with pytest.raises(HocSyntaxError) as err:
        parse("begintemplate A\nendtemplate B\n", "t.hoc")
    assert "endtemplate B closes begintemplate A" in str(err.value)


def test_deep_nesting_is_a_syntax_error_not_a_crash():
    text = "x = " + "(" * 3000 + "1" + ")" * 3000
    with pytest.raises(HocSyntaxError) as err:
        parse(text, "deep.hoc")
    assert "nested deeper than 200" in str(err.value)
    assert "deep.hoc:1:" in str(err.value)


def test_line_offset_shifts_locations():
    prog = parse("x = 1\n", "f.hoc", line_offset=10)
    assert prog.body[0].loc.line == 11


@pytest.mark.parametrize("text, parts", [
    ("for (;;) break", (False, False, False)),
    ("for (i = 0;; i += 1) break", (True, False, True)),
    ("for (; i < 3;) i += 1", (False, True, False)),
    ("for ((i) = 0; (i) < (3); i += (1)) print i", (True, True, True)),
])
def test_for_with_empty_parts(text, parts):
    (node,) = parse(text).body
    assert (node.init is not None, node.cond is not None, node.step is not None) == parts


def test_keyword_statements_are_located_at_their_keyword():
    prog = parse("create soma\nif (x) { y = 1 }\n  proc f() { }\n", "f.hoc")
    assert [(s.loc.line, s.loc.column) for s in prog.body] == [(1, 1), (2, 1), (3, 3)]
