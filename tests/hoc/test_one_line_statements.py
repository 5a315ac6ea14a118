"""Two HOC statements on one line with no separator, against NEURON 9.

NEURON's top-level grammar ends a statement at a newline or `;` (hoc's parse.ypp `list:` rules): at top
level `x = 1 y = 2`, `objref a a = new Vector()`, `print x print y` are syntax errors in NEURON, and
bridge refuses them at the same line and column. Inside braces (`stmtlist`) statements follow each other
without a separator and both run them; the printed output is compared line by line.
(Not covered: `f(1) f(2)` at top level, a syntax error in NEURON, runs both calls in bridge: its grammar
reads `f(1)` as a section prefix, `sec stmt`.)
"""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from bridge import HocSession
from bridge.errors import HocSyntaxError


def _neuron(path) -> list[str]:
    code = f"from neuron import h\nh.load_file({str(path)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=path.parent)
    return [ln for ln in (proc.stdout + proc.stderr).splitlines()
            if ln.strip() and "DISPLAY" not in ln and "graphics" not in ln]


@pytest.mark.neuron
@pytest.mark.parametrize("text", [
    "x = 1 y = 2\n",
    "objref a a = new Vector()\n",
    "x = 3\nprint x print x\n",
    "create soma\nsoma.L = 10 soma.diam = 3\n",
    "x = 1 y = 2 z = x + y\n",
    "x = 1 if (x) print 7\n",
])
def test_top_level_refused_as_neuron(tmp_path, text):
    """NEURON: `syntax error`, `near line N`, a caret under the token's end; bridge: HocSyntaxError at that
    token."""
    path = tmp_path / "a.hoc"
    path.write_text(text + 'print "END"\n')
    theirs = _neuron(path)
    assert "NEURON: syntax error" in theirs and "END" not in theirs, theirs
    line = int(re.search(r"near line (\d+)", "\n".join(theirs)).group(1))
    caret = next(ln for ln in theirs if ln.strip() == "^")
    end = caret.index("^")  # NEURON echoes the line after one space, the caret under the token's last character
    with pytest.raises(HocSyntaxError) as err:
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(path)
    found = re.search(r"a\.hoc:(\d+):(\d+): syntax error: unexpected '([^']+)'", str(err.value))
    assert found, str(err.value)
    bline, bcol, token = int(found.group(1)), int(found.group(2)), found.group(3)
    assert bline == line
    assert text.splitlines()[line - 1][bcol - 1:bcol - 1 + len(token)] == token
    assert bcol - 1 + len(token) == end  # the same token


@pytest.mark.neuron
@pytest.mark.parametrize("text", [
    "{ x = 1 y = 2 print x, y }\n",
    "{ print 3 print 4 }\n",
    "create soma\n{ soma.L = 10 soma.diam = 3 }\nprint soma.L, soma.diam\n",
    "objref vv\nvv = new Vector(2)\n{ vv.x[0] = 1 vv.x[1] = 2 }\nprint vv.x[0], vv.x[1]\n",
    "proc f() { print $1 }\n{ f(1) f(2) }\n",
    "proc g() { x = $1 y = x*2 print x, y }\ng(3)\n",
    "{ x = 1 if (x) print 7 }\n",
    "{ x = 1 for i=1,2 print i }\n",
    "{ x = 4 -1 print x }\n",
    "create dend\ndend { nseg = 3 L = 20 print nseg, L }\n",
])
def test_in_braces_runs_as_neuron(tmp_path, text):
    path = tmp_path / "a.hoc"
    path.write_text(text + 'print "END"\n')
    theirs = _neuron(path)
    out = io.StringIO()
    HocSession(cwd=tmp_path, stdout=out).load_file(path)
    assert out.getvalue().splitlines() == theirs
    assert theirs[-1] == "END"
