"""A model file can never run commands or Python, or write files, through bridge."""

import pytest

from bridge import HocSession
from bridge.errors import HocError


@pytest.mark.parametrize("stmt, what", [
    ('system("touch /tmp/bridge_pwned")', 'system() is refused: "touch /tmp/bridge_pwned" is not a command'),
    ('strdef s\nsystem("uname -m; touch /tmp/bridge_pwned", s)', '"uname -m; touch /tmp/bridge_pwned" is not a'),
    ('strdef s\nsystem("date > /tmp/bridge_pwned", s)', '"date > /tmp/bridge_pwned" is not a command'),
    ('system("pwd\\ntouch /tmp/bridge_pwned")', "system() is refused"),
    ('system("date +%s$(touch /tmp/bridge_pwned)")', "system() is refused"),
    ('nrnpython("import os")', "nrnpython() is refused: it runs Python code"),
    ('python("1")', "python() is refused"),
    ('wopen("/tmp/x")', "is refused: bridge writes a model's files only into an output folder"),
    ('save_session("/tmp/x.ses")', "save_session() is refused"),
    ('chdir("/")', "it leaves the model folder"),
    ('objref f\nf = new File()\nf.wopen("/tmp/x.dat")', "File.wopen('/tmp/x.dat'): writing"),
    ('objref f\nf = new File()\nf.ropen("/etc/passwd")', "bridge reads data files only inside the model folder"),
    ('objref p\np = new PythonObject()', "new PythonObject() is refused"),
    ('objref vv\nvv = new Vector(3)\nvv.printf(vv)', "Vector.printf: argument 1 must be a File"),
])
def test_refused(stmt, what, tmp_path):
    hoc = HocSession(cwd=tmp_path)
    with pytest.raises(HocError) as err:
        hoc(stmt)
    assert what in str(err.value)
    assert "<python>:" in str(err.value)


def test_refused_inside_a_file_names_the_line(tmp_path):
    (tmp_path / "evil.hoc").write_text('x = 1\nproc p() {\n  system("rm -rf /")\n}\np()\n')
    hoc = HocSession(cwd=tmp_path)
    with pytest.raises(HocError) as err:
        hoc.load_file("evil.hoc")
    assert f"{tmp_path / 'evil.hoc'}:3:3" in str(err.value)


def test_endless_loop_in_a_file_ends_promptly(tmp_path):
    (tmp_path / "loop.hoc").write_text("i = 0\nwhile (1) { i += 1 }\n")
    hoc = HocSession(cwd=tmp_path, max_statements=100_000)
    with pytest.raises(HocError, match="statement budget"):
        hoc.load_file("loop.hoc")
