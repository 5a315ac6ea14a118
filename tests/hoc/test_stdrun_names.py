"""The names NEURON 9.0.2's first `load_file("stdrun.hoc")` declares (bridge.hoc.stdrun_names): after it, a
procedure, object reference or string of stdrun.hoc used as a number (`for step = 1, 3 {}`, `step = 1`,
`x = step`, `tobj = 3`) stops NEURON, and bridge refuses it at file:line; a model's `proc init()` defined
before the load is replaced by stdrun.hoc's. And a number assigned to an object reference or a string stops
NEURON anywhere (bridge.hoc.names.check_number_place)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import warnings

import pytest

from bridge import HocSession
from bridge.errors import BridgeError
from bridge.hoc import neuronlib, stdrun_names

STATEMENTS = ("{name} = 1\n", "for {name} = 1, 1 {{ }}\n", "hoc_ac_ = {name}\n")

# In NEURON: every name of the library files that the first load of stdrun.hoc declares, its kind (name_declared
# with 1: 1 procedure, function or template, 2 objref, 4 strdef, 5 number) and which of STATEMENTS hoc accepts
# after the load (each in a fork of the loaded session).
_PROBE = """
import json, os, sys
from neuron import h
job = json.loads(sys.argv[1])
names = job["names"]
before = {n: h.name_declared(n, 1) for n in names}
h.load_file("stdrun.hoc")
after = {n: h.name_declared(n, 1) for n in names}
result = {}
for n in names:
    if before[n] != 0 or after[n] == 0:
        continue
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        ok = [int(h(s.format(name=n))) for s in job["statements"]]
        os.write(w, json.dumps(ok).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.waitpid(pid, 0)
    result[n] = [after[n], json.loads(data)]
print("RESULT " + json.dumps(result))
"""


def _neuron(code: str, arg: str, tmp_path) -> str:
    proc = subprocess.run([sys.executable, "-c", code, arg], capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)
    return proc.stdout + proc.stderr


def _library_words() -> list[str]:
    """Every word of NEURON's library files (the candidates for the names the load declares)."""
    folder = neuronlib.library_folder()
    assert folder is not None
    words: set[str] = set()
    for path in [*folder.glob("*.hoc"), *folder.glob("*/*.hoc")]:
        words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", path.read_text(errors="replace")))
    return sorted(words)


def _loaded(tmp_path) -> HocSession:
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    hoc('{load_file("stdrun.hoc")}')
    return hoc


def _bridge_accepts(statement: str, tmp_path, hoc: HocSession | None = None) -> bool:
    """Whether bridge runs `statement` after stdrun.hoc's load (in `hoc`, or a new session)."""
    hoc = hoc or _loaded(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            hoc(statement)
        except BridgeError:
            return False
    return True


@pytest.mark.neuron
def test_stdrun_names_used_as_numbers_stop_as_in_neuron(tmp_path):
    out = _neuron(_PROBE, json.dumps({"names": _library_words(), "statements": STATEMENTS}), tmp_path)
    line = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
    assert line, out[-3000:]
    declared = json.loads(line[0][len("RESULT "):])
    # the table is NEURON's: each procedure, objref and strdef listed is declared by the load with that kind
    for name in stdrun_names.PROCS:
        assert declared[name][0] == 1, name
    for name in stdrun_names.OBJREFS:
        assert declared[name][0] == 2, name
    for name in stdrun_names.STRDEFS:
        assert declared[name][0] == 4, name
    refused = sorted(n for n, (_, ok) in declared.items() if ok == [0, 0, 0])
    accepted = sorted(n for n, (_, ok) in declared.items() if ok == [1, 1, 1])
    assert len(refused) > 80 and "step" in refused and "tobj" in refused and "tstr" in refused  # can fail
    assert "nstep_steprun" in accepted and "x" in accepted
    wrong = []
    hoc = _loaded(tmp_path)  # one session: a refused statement changes nothing
    for name in refused:
        for statement in STATEMENTS:
            if _bridge_accepts(statement.format(name=name), tmp_path, hoc):
                wrong.append(statement.format(name=name).strip())
    assert wrong == []
    for name in ("nstep_steprun", "x", "Dt", "i"):  # variables of stdrun.hoc's, or names it uses in templates
        hoc = _loaded(tmp_path)  # the statements in turn, as in NEURON's fork
        for statement in STATEMENTS:
            assert _bridge_accepts(statement.format(name=name), tmp_path, hoc), (name, statement)


def test_for_step_after_stdrun_names_the_line(tmp_path):
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    (tmp_path / "m.hoc").write_text('load_file("stdrun.hoc")\nx = 1\nfor step = 1, 3 { x = x + 1 }\n')
    with pytest.raises(BridgeError, match=r"m\.hoc:3.*step is stdrun\.hoc's procedure"):
        hoc.load_file(tmp_path / "m.hoc")
    out = _neuron("from neuron import h\ntry:\n    h.load_file('m.hoc')\nexcept RuntimeError:\n    pass\n"
                  "print('AFTER', h.x)\n", "", tmp_path)
    assert "syntax error" in out and "AFTER 1.0" in out  # NEURON stopped at the `for`: x was not incremented


_NUMBERS_INTO_OBJECTS = {
    "objref": "objref o\no = 3\n",
    "objref for": "objref o\nfor o = 1, 2 { }\n",
    "strdef": "strdef s\ns = 3\n",
    "strdef for": "strdef s\nfor s = 1, 2 { }\n",
    "objref of a template": "begintemplate T\npublic o\nobjref o\nendtemplate T\nobjref c\nc = new T()\nc.o = 3\n",
}


@pytest.mark.neuron
@pytest.mark.parametrize("case", sorted(_NUMBERS_INTO_OBJECTS))
def test_a_number_into_an_object_reference_or_a_string_stops_as_in_neuron(case, tmp_path):
    text = _NUMBERS_INTO_OBJECTS[case] + 'print "AFTER"\n'
    (tmp_path / "m.hoc").write_text(text)
    out = _neuron("from neuron import h\nh.load_file('m.hoc')\n", "", tmp_path)
    assert "AFTER" not in out and ("syntax error" in out or "bad stack access" in out), out[-2000:]
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(BridgeError, match=r"m\.hoc:\d+.*cannot be assigned"):
        hoc.load_file(tmp_path / "m.hoc")


# A model that defines stdrun's init() and advance() before loading stdrun.hoc: the load replaces both (a second
# `proc` definition replaces the first), so run() starts at v_init and steps with fadvance() only.
_REDEFINED = """
create soma
soma { L = 20 diam = 20 insert hh }
proc init() { finitialize(v_init) soma.v(.5) = -30 fcurrent() }
proc advance() { fadvance() soma.gnabar_hh = soma.gnabar_hh * 1.01 }
load_file("stdrun.hoc")
tstop = 3
run()
printf("END %.17g %.17g\\n", soma.v(.5), soma.gnabar_hh)
"""


@pytest.mark.neuron
def test_a_models_proc_before_stdrun_is_replaced_by_stdruns(tmp_path):
    (tmp_path / "m.hoc").write_text(_REDEFINED)
    out = _neuron("from neuron import h\nh.load_file('m.hoc')\n", "", tmp_path)
    theirs = [ln.split() for ln in out.splitlines() if ln.startswith("END ")]
    assert theirs, out[-2000:]
    assert float(theirs[0][2]) == 0.12  # stdrun's advance(): the model's never ran
    stdout = io.StringIO()
    hoc = HocSession(cwd=tmp_path, stdout=stdout)
    hoc.load_file(tmp_path / "m.hoc")
    ours = [ln.split() for ln in stdout.getvalue().splitlines() if ln.startswith("END ")]
    assert float(ours[0][2]) == 0.12
    assert abs(float(ours[0][1]) - float(theirs[0][1])) <= 1e-9  # mV


@pytest.mark.neuron
def test_a_variable_named_like_a_stdrun_procedure_stops_the_load(tmp_path):
    """NEURON: `step = 3` then `load_file("stdrun.hoc")` stops with "step already defined" in stdrun.hoc."""
    (tmp_path / "m.hoc").write_text('step = 3\nload_file("stdrun.hoc")\nprint "AFTER"\n')
    out = _neuron("from neuron import h\nh.load_file('m.hoc')\n", "", tmp_path)
    assert "step already defined" in out and "AFTER" not in out, out[-2000:]
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(BridgeError, match=r"m\.hoc:2.*step already defined"):
        hoc.load_file(tmp_path / "m.hoc")


@pytest.mark.neuron
def test_a_library_template_indexed_in_a_session_file_runs_as_in_neuron(tmp_path):
    """NEURON's session files address the GUI's objects by template and index (`{WindowMenu[0].ses_gid(...)}`,
    ModelDB 9853, 33975, 126467, 145672): NEURON runs the line; bridge takes it as the GUI call it is. Outside a
    session file bridge refuses the object it does not have (NEURON runs it too: a refusal, never "NEURON stops")."""
    (tmp_path / "w.ses").write_text('{WindowMenu[0].ses_gid(1, 0, 0, "cell")}\n')
    (tmp_path / "m.hoc").write_text('load_file("nrngui.hoc")\ncreate soma\nload_file("w.ses")\nprint "end"\n')
    (tmp_path / "h.hoc").write_text('load_file("nrngui.hoc")\n{WindowMenu[0].ses_gid(1, 0, 0, "cell")}\n'
                                    'print "end"\n')
    for name in ("m.hoc", "h.hoc"):
        text = _neuron(f"from neuron import h\nh.load_file({name!r})\n", "", tmp_path)
        assert "\nend\n" in text and "error" not in text, text
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        HocSession(cwd=tmp_path, stdout=out).load_file(tmp_path / "m.hoc")
    assert out.getvalue().rstrip().endswith("end")
    with pytest.raises(BridgeError, match=r"h\.hoc:2.*WindowMenu\[i\].*bridge does not have"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "h.hoc")
