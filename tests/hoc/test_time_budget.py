"""The HOC interpreter's work is bounded by `Limits.max_statements`, counted so that any run
that exhausts it, whatever it spends its time on, stops within seconds; loading is linear in
the file's size.

The bounds below are generous hang checks (a run is expected in a few seconds), not timings.
"""

from __future__ import annotations

import io
import time

import pytest

from bridge import HocSession, Limits
from bridge.errors import HocError
from bridge.hoc import budget
from bridge.hoc.loader import Stream, next_chunk

# [s] what "stops within seconds" is allowed, in CPU time of this process (the work is all here: the
# interpreter in this thread): a loaded machine, or a second pytest worker on a shared core, stretches the
# wall-clock time of the same work several-fold (past 20 s at a load average of 16 on 2 cores) but not its CPU time
HANG = 20


def _exhausts(tmp_path, text, **kw) -> HocError:
    (tmp_path / "m.hoc").write_text(text)
    (tmp_path / "a.hoc").write_text("x = 1\n")
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO(), **kw)
    start = time.process_time()
    with pytest.raises(HocError) as err:
        hoc.load_file("m.hoc")
    assert time.process_time() - start < HANG
    assert "statement budget" in str(err.value) and "Limits(max_statements=...)" in str(err.value)
    assert "m.hoc:" in str(err.value)
    return err.value


@pytest.mark.parametrize("text", [
    "while (1) { x = 1 }\n",
    'strdef s\nwhile (1) { sprint(s, "%d %g %s", 1, 2.5, "abc") }\n',
    "objref vv\nvv = new Vector(100)\nwhile (1) { vv.x[3] = vv.x[2] + 1 }\n",
    "create soma\nsoma insert hh\nwhile (1) { soma.gnabar_hh(0.5) = 0.1 }\n",
    "objref vv\nwhile (1) { vv = new Vector(10) }\n",
    "func f() { return $1 + $2 }\nfor (i = 0; ; i += 1) { y = f(i, 2) }\n",
])
def test_an_endless_loop_stops_within_seconds_by_default(text, tmp_path):
    _exhausts(tmp_path, text)


@pytest.mark.parametrize("text", [
    "objref vv\nvv = new Vector(1e6)\nwhile (1) { vv.add(1) }\n",                   # 10^6 elements a statement
    "objref vv\nvv = new Vector(1e6)\nwhile (1) { x = vv.sum() }\n",
    "objref vv, w\nvv = new Vector(1e6)\nwhile (1) { w = vv.c }\n",
    "objref vv\nvv = new Vector(1e5)\nwhile (1) { vv.printf() }\n",                 # 10^5 numbers printed
    "create d[2000]\nbegintemplate T\nproc init() { while (1) { forall { } } }\nendtemplate T\n"
    "objref cell\ncell = new T()\n",                                              # scans 2000, visits none
    'create d[2000]\nwhile (1) { forsec "nothing" { } }\n',
    "create d[2000]\nobjref sl\nwhile (1) { sl = new SectionList()  d[0] sl.wholetree() }\n",
    "create d[60000]\ncreate d[60000]\n",                 # re-creating deletes each old section: a scan of all
    'strdef s\nsprint(s, "%100000d", 1)\nwhile (1) { print s }\n',                 # 100 kB printed a statement
    'strdef s\nwhile (1) { sprint(s, "%100000d", 1) }\n',
    'while (1) { execute("x = 1") }\n',                                             # parsing is work too
    'while (1) { xopen("a.hoc") }\n',
    'load_file("a.hoc")\nwhile (1) { load_file("a.hoc") }\n',                         # loaded once: a lookup
])
def test_expensive_statements_count_their_work(text, tmp_path):
    _exhausts(tmp_path, text)


def test_statements_expressions_and_calls_count():
    hoc = HocSession(stdout=io.StringIO())
    hoc("func f() { return $1 }")
    before = hoc._interp.statements
    hoc("x = f(1) + f(2)")
    spent = hoc._interp.statements - before - budget.RUN_STATEMENTS - budget.parse_cost("x = f(1) + f(2)", 10**9)
    assert 11 <= spent <= 30  # the statement, 5 expressions, 2 calls and their bodies (2 statements, 2 expressions)


def test_a_small_budget_names_the_limit():
    with pytest.raises(HocError, match="statement budget of 1000 exhausted"):
        HocSession(limits=Limits(max_statements=1000))("while (1) { }")


def test_next_chunk_is_linear_in_the_file():
    """It once copied the rest of the file at each newline (quadratic: 100k lines took 16 s)."""
    text = "x = 1\n" * 1_000_000 + "if (x) {\n y = 2\n}\nelse {\n y = 3\n}\n" + "// c\n\n" * 100_000
    stream = Stream(text, "big.hoc")
    start = time.process_time()
    chunks = 0
    while next_chunk(stream) is not None:
        chunks += 1
    assert time.process_time() - start < HANG
    assert chunks == 1_000_001 and stream.line == text.count("\n") + 1


def test_a_file_of_many_blank_lines_and_comments_loads_quickly(tmp_path):
    (tmp_path / "m.hoc").write_text("x = 1\n" + "\n" * 2_000_000 + "/* a\n" * 100_000 + "*/\n" + "// c\n" * 500_000
                                    + "y = 2\n")
    hoc = HocSession(cwd=tmp_path)
    start = time.process_time()
    hoc.load_file("m.hoc")
    assert time.process_time() - start < HANG
    assert (hoc.x, hoc.y) == (1.0, 2.0)


def test_an_error_far_down_a_big_file_is_reported_quickly(tmp_path):
    """An error's excerpt once split the whole file into lines: 20 ms a time for 20 MB."""
    (tmp_path / "m.hoc").write_text("// " + "x" * 20_000_000 + "\nproc p() { y = nothing }\n"
                                    + "for i = 1, 10000 { execute1(\"p()\") }\n")
    out = io.StringIO()
    hoc = HocSession(cwd=tmp_path, stdout=out)
    start = time.process_time()
    hoc.load_file("m.hoc")
    assert time.process_time() - start < HANG
    assert out.getvalue().count("nothing is not defined") == 10000
