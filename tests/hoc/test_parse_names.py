"""hoc's parser needs a name to be an object before it reads `name.member` or `name = new ...`
(bridge.hoc.parse_names): bridge stops on the same line as NEURON 9.0.2, or runs on as NEURON does."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import HocSession
from bridge.errors import HocSyntaxError

# (name, program): each program ends with `print "END"`, reached only when nothing stopped it.
CASES = [
    # stops (NEURON: "syntax error")
    ("new_undeclared", 'print "start"\ntmpfile = new File()\nprint "END"\n'),
    ("new_in_block", '{objref o2\n o2 = new List()}\nprint "END"\n'),
    ("new_same_line", 'x = 1\nobjref o\nproc p() { o3 = new List() }\nobjref o3\nprint "END"\n'),
    ("new_scalar", 'x = 1\nx = new List()\nprint "END"\n'),
    ("new_strdef", 'strdef s\ns = new List()\nprint "END"\n'),
    ("new_in_if_not_run", 'if (0) { zz = new List() }\nprint "END"\n'),
    ("new_after_use", 'proc p() { print zz }\nprint "between"\nzz = new List()\nprint "END"\n'),
    ("new_local_scalar", 'objref o\nproc p() { local o\n o = new List() }\nprint "END"\n'),
    ("dot_undeclared_in_proc", 'print "start"\nfunc isobj() { localobj st\n  st = new String()\n'
     '  if (sfunc.substr(st.s, $s1) == 0) {\n    return 1\n  }\n  return 0\n}\nprint "END"\n'),
    ("dot_scalar", 'x = 1\nproc p() { print x.count() }\nprint "END"\n'),
    ("dot_local_scalar", 'proc p() { local o\n o.count() }\nprint "END"\n'),
    ("dot_section_later", 'proc p() { s2.L = 10 }\ncreate s2\nprint "END"\n'),
    ("dot_section_same_block", '{create s1\n s1.L = 10}\nprint "END"\n'),
    # runs on
    ("localobj", 'proc p() { localobj st\n st = new List() print st.count() }\np()\nprint "END"\n'),
    ("objref_before", 'objref w\nproc p() { w = new List() }\np()\nprint w.count()\nprint "END"\n'),
    ("objref_in_loop", 'for i=0,0 { objref o6 }\no6 = new List()\nprint o6.count()\nprint "END"\n'),
    ("section_before", 'create s3\nproc p() { s3.L = 10 }\np()\nprint s3.L\nprint "END"\n'),
    ("arg_object", 'proc p() { print $o1.count() }\np(new List())\nprint "END"\n'),
    ("obfunc_call", 'obfunc g() { return new List() }\nproc p() { print g().count() }\np()\nprint "END"\n'),
    ("library_objects", 'proc p() { cvode.active(0) print hoc_sf_.len("abc") }\np()\nprint "END"\n'),
    ("point_process_index", 'proc p() { IClamp[0].amp = 1 }\nprint "END"\n'),
    ("object_push", 'begintemplate T\npublic f\nobjref f\nendtemplate T\nobjref tt\ntt = new T()\n'
     'object_push(tt)\nf = new List()\nobject_pop()\nprint tt.f.count()\nprint "END"\n'),
    ("class_index", 'objref vv\nvv = new Vector(3)\nproc p() { print Vector[0].size() }\nprint "END"\n'),
]


def _neuron(path: Path) -> tuple[list[str], int | None]:
    """NEURON's printed lines and the line it stopped on (None: it did not stop), stdrun loaded as the
    sweep loads it (validation.neuron_case)."""
    code = ("from neuron import h\nh.load_file('stdrun.hoc')\n"
            f"try:\n    h.load_file(1, {str(path)!r})\nexcept RuntimeError:\n    pass\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=path.parent)
    lines = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    m = re.search(r"syntax error\n in \S+ near line (\d+)", proc.stderr)
    return lines, int(m.group(1)) if m else None


def _bridge(path: Path) -> tuple[list[str], int | None]:
    out = io.StringIO()
    try:
        HocSession(stdout=out).load_file(path)
        stopped = None
    except HocSyntaxError as err:
        stopped = err.location.line
    return out.getvalue().splitlines(), stopped


@pytest.mark.neuron
@pytest.mark.parametrize("name,text", CASES, ids=[c[0] for c in CASES])
def test_stops_where_neuron_stops(tmp_path, name, text):
    path = tmp_path / f"{name}.hoc"
    path.write_text(text)
    theirs, their_stop = _neuron(path)
    ours, our_stop = _bridge(path)
    assert (our_stop, ours) == (their_stop, theirs)


@pytest.mark.neuron
def test_library_file_pattern_stops_where_neuron_stops(tmp_path):
    """The Lytton-library pattern (ModelDB 151282 and others): an entry loads a library file that
    assigns `new File()` to a name only a file it never loaded declares; both stop in the library file."""
    (tmp_path / "lib.hoc").write_text('objref dir\ndir = new List()\nprint "lib"\ntmpfile = new File()\n'
                                      'if (!name_declared("datestr")) load_file("setup.hoc")\nprint "END"\n')
    entry = tmp_path / "init.hoc"
    entry.write_text('x = 1\nload_file("lib.hoc")\nprint "END"\n')
    theirs, their_stop = _neuron(entry)
    out = io.StringIO()
    with pytest.raises(HocSyntaxError) as err:
        HocSession(stdout=out).load_file(entry)
    assert (err.value.location.filename.endswith("lib.hoc"), err.value.location.line) == (True, their_stop)
    assert out.getvalue().splitlines() == theirs
    assert "tmpfile is not declared" in str(err.value)


def test_checked_before_the_chunk_runs():
    """Nothing of a stopped statement runs: its print did not happen (hoc parses the whole line first)."""
    out = io.StringIO()
    session = HocSession(stdout=out)
    with pytest.raises(HocSyntaxError, match="q is not declared"):
        session('print "a"\n{ print "b"  q.count() }\n')
    assert out.getvalue().splitlines() == ["a"]
