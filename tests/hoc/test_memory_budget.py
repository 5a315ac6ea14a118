"""The HOC interpreter's memory is bounded by `Limits.max_memory`: a request over it is a
HocError naming file:line and the limit, raised before anything is allocated; memory is given
back when Vectors, arrays, strings and lists die."""

from __future__ import annotations

import io
import time
import tracemalloc

import pytest

import bridge
from bridge import HocSession, Limits
from bridge.errors import BridgeError, HocError

MiB = 2**20


def _run_file(tmp_path, text, **kw):
    (tmp_path / "m.hoc").write_text(text)
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO(), **kw)
    hoc.load_file("m.hoc")
    return hoc


def _refused(tmp_path, text, line, trace=True, **kw) -> HocError:
    """The error `text` (a file) raises; it must name m.hoc:line, come quickly and (`trace`)
    without allocating what was asked for."""
    if trace:
        tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(HocError) as err:
            _run_file(tmp_path, text, **kw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - start < 20
    assert f"m.hoc:{line}:" in str(err.value)
    assert peak < 600 * MiB, peak
    return err.value


@pytest.mark.parametrize("text, line", [
    ("objref vv\nvv = new Vector(1e9)\n", 2),                       # 32 GB as a list of floats
    ("objref vv\nvv = new Vector(1)\nvv.resize(1e10)\n", 3),
    ("double a[1e9]\n", 1),
    ("double a[1e5][1e5]\n", 1),                                     # the product is what counts
    ("objref o[1e9]\n", 1),
    ("create sec[100000000]\n", 1),
    ('strdef s\nsprint(s, "%9999999999999d", 1)\n', 2),
    ('strdef s\nsprint(s, "%.9999999999f", 1)\n', 2),
    ('printf("%3000000000d", 1)\n', 1),
])
def test_a_huge_request_is_refused_before_allocation(text, line, tmp_path):
    err = _refused(tmp_path, text, line)
    assert "max_memory" in str(err) and "raise it with bridge.Limits(max_memory=...)" in str(err)


_TEMPLATE = """begintemplate T
public s
strdef s
proc init() { sprint(s, "%1000000d", 1) }
endtemplate T
"""


@pytest.mark.parametrize("text, line", [
    ("objref vv\nvv = new Vector(1)\nfor i=1,40 vv.append(vv)\n", 3),                   # doubling a Vector
    ("objref vv\nvv = new Vector(1)\nfor i=1,40 vv.resize(2 * vv.size)\n", 3),
    ('strdef s\ns = "ab"\nfor i=1,60 sprint(s, "%s%s", s, s)\n', 3),                    # doubling a string
    ("objref l\nl = new List()\nfor i=1,1e7 l.append(l)\n", 3),
    ("create a\nobjref vs[1000]\nfor i=0,999 { vs[i] = new Vector(1e5) }\n", 3),       # many live Vectors
    (_TEMPLATE + "objref o[100]\nfor i=0,99 o[i] = new T()\n", 4),                       # many live strings
    ("create a[100]\nforall nseg = 32767\n", 2),
    ("create a[10]\nforall { nseg = 5000 insert hh insert pas }\n", 2),
    ("create soma\nobjref sl\nsl = new SectionList()\nfor i=1,1e7 sl.append()\n", 4),
])
def test_growing_data_stops_at_the_budget(text, line, tmp_path):
    err = _refused(tmp_path, text, line, trace=False, limits=Limits(max_memory=4 * MiB))
    assert "Limits.max_memory = 4 MiB" in str(err)


@pytest.mark.parametrize("body", ["soma { c = new IClamp(0.5) } keep.append(c)", "vv.record(&soma.v(0.5))"])
def test_what_the_model_state_keeps_counts(body, tmp_path):
    """Point processes HOC holds (here in a List: a dropped one dies, bridge.hoc.lifetimes) and recordings
    stay in the model state; a loop making them stops."""
    text = f"create soma\nobjref c, vv, keep\nkeep = new List()\nvv = new Vector()\nwhile (1) {{ {body} }}\n"
    err = _refused(tmp_path, text, 5, trace=False, limits=Limits(max_memory=4 * MiB))
    assert "max_memory" in str(err)


def test_the_reproducer_doubling_a_vector_with_the_default_budget(tmp_path):
    """40 doublings would be 10^12 elements; the default budget (4 GiB) stops it at 2^27."""
    hoc_text = "objref vv\nvv = new Vector(1)\nfor i=1,40 vv.append(vv)\n"
    start = time.monotonic()
    with pytest.raises(HocError, match="max_memory") as err:
        _run_file(tmp_path, hoc_text)
    assert time.monotonic() - start < 20
    assert "m.hoc:3:" in str(err.value)


@pytest.mark.parametrize("size", ["-1", "1e300 * 1e300", "1e300 * 1e300 - 1e300 * 1e300"])
def test_a_size_that_is_negative_infinite_or_nan_is_an_error(size, tmp_path):
    for text in (f"objref vv\nvv = new Vector({size})\n", f"objref vv\nvv = new Vector(2)\nvv.resize({size})\n",
                 f"double a[{size}]\n", f"objref o[{size}]\n", f"create s[{size}]\n", f"create s\ns.nseg = {size}\n"):
        with pytest.raises(HocError) as err:
            _run_file(tmp_path, text)
        assert "m.hoc:" in str(err.value), text
        assert any(w in str(err.value) for w in ("negative", "NaN", "too large", "positive", ">= 1")), (text, err.value)


def test_memory_is_given_back_when_data_dies(tmp_path):
    """Each line would exhaust a 64 MiB budget if the memory of dead data were kept."""
    hoc = _run_file(tmp_path, """
objref vv, w, o[10]
strdef s
for i=1,200 { vv = new Vector(100000) }
for i=1,200 { w = new Vector(10)  w.resize(100000) }
for i=1,200 { double a[1000000] }
for i=1,200 { objref o[1000000] }
for i=1,200 { sprint(s, "%1000000d", i) }
for i=1,200 { o[0] = new List()  for j=1,1000 o[0].append(o[0]) }
create soma
for i=1,200 { soma.nseg = 10001  soma.nseg = 1 }
for i=1,200 { create dend[100] }
""", limits=Limits(max_memory=64 * MiB))
    assert hoc._interp.memory.used < 64 * MiB


def test_the_budget_counts_what_a_session_holds(tmp_path):
    hoc = _run_file(tmp_path, "objref vv\nvv = new Vector(1000000)\n")
    held = hoc._interp.memory.used
    assert 8 * MiB < held < 64 * MiB
    hoc("vv = new Vector(1)")
    assert hoc._interp.memory.used < held - 8 * MiB


def test_load_hoc_takes_limits(tmp_path):
    (tmp_path / "m.hoc").write_text("objref vv\nvv = new Vector(1e6)\n")
    bridge.load_hoc(tmp_path / "m.hoc")
    with pytest.raises(HocError, match="max_memory"):
        bridge.load_hoc(tmp_path / "m.hoc", limits=Limits(max_memory=MiB))


def test_a_file_over_max_file_size_is_refused_before_reading(tmp_path):
    (tmp_path / "big.hoc").write_text("x = 1\n" * 1000)
    (tmp_path / "m.hoc").write_text('x = 0\nload_file("big.hoc")\n')
    with pytest.raises(HocError) as err:
        HocSession(cwd=tmp_path, limits=Limits(max_file_size=4000)).load_file("m.hoc")
    assert "max_file_size" in str(err.value) and "m.hoc:2:" in str(err.value)
    HocSession(cwd=tmp_path, limits=Limits(max_file_size=6000)).load_file("m.hoc")


def test_a_10_mb_string_literal_costs_linear_memory_and_time(tmp_path):
    """The nesting check's and the lexer's regular expressions once took 3.4 GB for this."""
    text = 'strdef s\ns = "' + "a" * 10_000_000 + '"\nx = 1\n'
    tracemalloc.start()
    start = time.monotonic()
    try:
        hoc = _run_file(tmp_path, text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - start < 20
    assert len(hoc.s) == 10_000_000 and hoc.x == 1.0
    assert peak < 400 * MiB, peak


def test_a_memory_error_is_a_bridge_error_that_execute1_reports(tmp_path):
    out = io.StringIO()
    hoc = HocSession(stdout=out, limits=Limits(max_memory=MiB))
    hoc('objref vv\nok = execute1("vv = new Vector(1e6)")')
    assert hoc.ok == 0.0 and "max_memory" in out.getvalue()
    with pytest.raises(BridgeError):
        hoc("vv = new Vector(1e6)")


def test_open_data_files_count_against_the_memory_budget(tmp_path):
    """Each File holds the text it ropen'ed: many open copies of one data file are refused, not kept."""
    (tmp_path / "data.dat").write_text("1 2 3\n" * 200_000)  # 1.2 MB
    session = HocSession(cwd=tmp_path, limits=Limits(max_memory=16 * 2**20))
    with pytest.raises(HocError, match="max_memory"):
        session('objref f[100]\nfor i = 0, 99 { f[i] = new File()  f[i].ropen("data.dat") }')


def test_an_open_data_file_gives_its_memory_back_when_closed_by_another_ropen(tmp_path):
    (tmp_path / "data.dat").write_text("1 2 3\n" * 200_000)
    session = HocSession(cwd=tmp_path, limits=Limits(max_memory=16 * 2**20))
    session('objref f\nfor i = 0, 99 { f = new File()  f.ropen("data.dat") }\nx = f.scanvar()')
    assert session.x == 1.0
