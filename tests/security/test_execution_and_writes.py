"""Sandbox attacks: a model never runs a command or Python, and never writes a file without an
output folder (tests/security/test_output_folder.py: with one), by any route.

Each payload (a shell command, Python, a file write, a file deletion, ...) is tried
through each route HOC offers to reach it (top level, procs, funcs, templates,
`execute`, strings built with `sprint`, loaded files, stdrun's `init()` during a run,
object contexts, loops and iterators). Every combination must be a HocError that names
the refused construct and the file and line, and leave no trace on disk.
"""

from __future__ import annotations

import io

import pytest

from bridge import HocSession
from bridge.errors import HocError

NO_OUTPUT = "is refused: bridge writes a model's files only into an output folder"
# payload: (object names it declares, the statements, what the error says);
# {target} is a path the payload would create or change
PAYLOADS = {
    "system": ("", 'system("touch {target}")', "system() is refused"),
    "nrnpython": ("", 'nrnpython("open(\'{target}\', \'w\')")', "nrnpython() is refused"),
    "python": ("", 'python("1")', "python() is refused"),
    "PythonObject": ("py_", "py_ = new PythonObject()", "new PythonObject() is refused"),
    "wopen": ("", 'wopen("{target}")', NO_OUTPUT),
    "save_session": ("", 'save_session("{target}")', "save_session() is refused"),
    "unlink": ("", 'unlink("{target}")', "unlink() is refused"),
    "load_java": ("", 'load_java("{target}")', "load_java() is refused"),
    "File.wopen": ("f_", 'f_ = new File("{target}")\nf_.wopen()', NO_OUTPUT),
    "File.aopen": ("f_", 'f_ = new File()\nf_.aopen("{target}")', NO_OUTPUT),
    "File.printf": ("f_", 'f_ = new File()\nf_.printf("%d", 1)', "no file open for writing"),
    "File.unlink": ("f_", 'f_ = new File("{target}")\nf_.unlink()', "File.unlink() is refused"),
    "Vector.printf": ("f_, v_", "f_ = new File()\nv_ = new Vector(3)\nv_.printf(f_)", "no file open for writing"),
    "Vector.fwrite": ("f_, v_", 'f_ = new File("{target}")\nv_ = new Vector(3)\nv_.fwrite(f_)',
                      "no file open for writing"),
    # NEURON's temporary file (pwman.cpp ivoc_get_temp_file: $TMPDIR, outside any output folder); a model's own
    # code gets it refused (NEURON's NetGUI's use is a memory file: tests/security/test_neuron_temp.py). HOC has no
    # tmpfile() function (NEURON 9.0.2: "tmpfile" is an undefined name)
    "File.mktemp": ("f_", 'f_ = new File("{target}")\nf_.mktemp()\nf_.wopen()', "File.mktemp() is refused"),
    "tmpfile": ("", "x_ = tmpfile()", "tmpfile is not defined"),
    # files NEURON's ParallelContext writes under a name the model gives
    "prcellstate": ("pc_", 'pc_ = new ParallelContext()\npc_.prcellstate(1, "{target}")',
                    "prcellstate() is not supported"),
    "nrnbbcore_write": ("pc_", 'pc_ = new ParallelContext()\npc_.nrnbbcore_write("{target}")',
                        "nrnbbcore_write() is not supported"),
}

# writing to a File that no wopen opened, an undefined name: an ordinary HOC error (nothing is written), as in NEURON
ORDINARY_ERRORS = ("File.printf", "Vector.printf", "Vector.fwrite", "tmpfile")


def _quoted(text: str) -> str:
    """`text` as the body of a HOC string literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


# route name -> HOC text running the payload {p}: {q} is it quoted for a string literal, {decl} declares its
# objects (`objref f_`), {local} declares them as a procedure's locals (`localobj f_`)
ROUTES = {
    "top level": "{decl}{p}",
    "if": "{decl}if (1) {{\n{p}\n}}",
    "for": "{decl}for i_ = 0, 0 {{\n{p}\n}}",
    "while": "{decl}i_ = 0\nwhile (i_ < 1) {{\ni_ += 1\n{p}\n}}",
    "proc": "proc pr_() {{ {local}\n{p}\n}}\npr_()",
    "func": "func fn_() {{ {local}\n{p}\nreturn 1\n}}\nx_ = fn_()",
    "iterator": "{decl}iterator it_() {{\niterator_statement\n}}\nfor it_() {{\n{p}\n}}",
    "template method": "begintemplate T_\npublic go\n{decl}proc go() {{\n{p}\n}}\nendtemplate T_\n"
                       "objref o_\no_ = new T_()\no_.go()",
    "template init": "begintemplate T_\n{decl}proc init() {{\n{p}\n}}\nendtemplate T_\nobjref o_\no_ = new T_()",
    "execute": '{decl}execute("{q}")',
    "execute1": '{decl}execute1("{q}")',
    "sprint then execute": '{decl}strdef c_\nsprint(c_, "%s", "{q}")\nexecute(c_)',
    "execute in an object": "begintemplate T_\n{decl}endtemplate T_\nobjref o_\no_ = new T_()\nexecute(\"{q}\", o_)",
    "object_push": "begintemplate T_\n{decl}endtemplate T_\nobjref o_\no_ = new T_()\n"
                   "object_push(o_)\n{p}\nobject_pop()",
    "xopen'ed file": 'xopen("payload.hoc")',
    "load_file'd file": 'load_file("payload.hoc")',
    "load_file'd file in a subfolder": 'load_file("sub/payload.hoc")',
    "init() during run()": ("{decl}create soma\naccess soma\ntstop = 0.1\n"
                            "proc init() {{\nfinitialize(v_init)\n{p}\n}}\nrun()"),
}

NEEDS_FILE = ("xopen'ed file", "load_file'd file", "load_file'd file in a subfolder")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_refused_by_every_route(payload, route, tmp_path):
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    target = tmp_path / "victim.txt"
    target.write_text("untouched\n")
    names, action, refusal = PAYLOADS[payload]
    p = action.format(target=target)
    decl = f"objref {names}\n" if names else ""
    hoc_text = ROUTES[route].format(p=p, q=_quoted(p), decl=decl, local=f"localobj {names}" if names else "")
    if route in NEEDS_FILE:
        where = model / ("sub" if "subfolder" in route else "") / "payload.hoc"
        where.write_text(decl + p + "\n")
        expected_file = where
    else:
        expected_file = model / "init.hoc"
    (model / "init.hoc").write_text(hoc_text + "\n")
    before = sorted(q.relative_to(tmp_path) for q in tmp_path.rglob("*"))

    session = HocSession(cwd=model)
    if route == "execute1" and payload in ORDINARY_ERRORS:  # NEURON's execute1 prints them and returns 0
        session.load_file(model / "init.hoc")
        assert target.read_text() == "untouched\n"
        assert sorted(q.relative_to(tmp_path) for q in tmp_path.rglob("*")) == before
        return
    with pytest.raises(HocError) as err:
        session.load_file(model / "init.hoc")

    message = str(err.value)
    assert refusal in message
    assert f"{expected_file}:" in message  # names the file (and line) of the refused statement
    assert target.read_text() == "untouched\n"
    assert sorted(q.relative_to(tmp_path) for q in tmp_path.rglob("*")) == before


def test_refusal_names_the_line_of_the_payload(tmp_path):
    (tmp_path / "init.hoc").write_text('x = 1\n\nproc p() {\n    y = 2\n    system("ls")\n}\np()\n')
    with pytest.raises(HocError) as err:
        HocSession(cwd=tmp_path).load_file(tmp_path / "init.hoc")
    assert f"{tmp_path / 'init.hoc'}:5:" in str(err.value)


def test_execute1_still_returns_0_for_an_ordinary_hoc_error(tmp_path):
    """NEURON's execute1 prints an error in its command and returns 0; only refusals go through."""
    out = io.StringIO()
    session = HocSession(cwd=tmp_path, stdout=out)
    session('x_ = execute1("y_ = 1/0")')
    assert "division by zero" in out.getvalue()
    assert session.x_ == 0.0
