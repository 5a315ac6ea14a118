"""Loads of NEURON's library files that stop NEURON 9.0.2, refused by bridge at file:line (bridge.hoc.library_runs):
a second run of a file that defines templates (`load_file(1, "stdrun.hoc")`, stdrun.hoc under another path after
nrngui.hoc, `xopen`), and a GUI tool's file loaded before stdrun.hoc or stdlib.hoc declares what it takes as
`external`. Every library file bridge takes without running NEURON's copy, loaded alone and loaded again with
`load_file(1, ...)` after nrngui.hoc, in NEURON and in bridge: stopped in both or in neither. And
`load_file(1, "file")` runs a model's file again, `load_file("file", "name")` with `name` declared returns 0."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import warnings

import pytest

from bridge import HocSession
from bridge.errors import BridgeError
from bridge.hoc import loader, neuronlib

_PROBE = """
import json, os, sys
from neuron import h
job = json.loads(sys.argv[1])
result = {}
for key, text in job.items():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            ok = all(int(h(line)) for line in text.splitlines())
        except Exception:
            ok = False
        os.write(w, json.dumps(ok).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.waitpid(pid, 0)
    result[key] = json.loads(data) if data else False  # NEURON died: it stopped
print("RESULT " + json.dumps(result))
"""


def _neuron(cases: dict[str, str], tmp_path) -> dict[str, bool]:
    """Whether NEURON runs each case's lines (one hoc statement a line) without stopping."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(cases)], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(line[0][len("RESULT "):])


def _bridge(text: str, tmp_path) -> bool:
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            hoc(text)
        except BridgeError:
            return False
    return True


def _libraries() -> list[str]:
    """The library files bridge takes without running NEURON's copy (its own version, or nothing)."""
    names = {n if n.endswith(".hoc") else f"{n}.hoc" for n in loader.BUILTIN_LIBRARIES}
    return sorted(names | loader.GUI_LIBRARIES | {"parcom.hoc"})


@pytest.mark.neuron
def test_library_loads_stop_where_neurons_stop(tmp_path):
    folder = neuronlib.library_folder()
    assert folder is not None
    cases = {}
    for lib in _libraries():
        cases[f"alone {lib}"] = f'load_file("{lib}")'
        cases[f"again {lib}"] = f'load_file("nrngui.hoc")\nload_file("{lib}")\nload_file(1, "{lib}")'
    cases["stdrun by path"] = f'load_file("nrngui.hoc")\nload_file("{folder / "stdrun.hoc"}")'
    cases["stdrun xopen"] = 'load_file("stdrun.hoc")\nxopen("stdrun.hoc")'
    cases["stdgui by path"] = f'load_file("nrngui.hoc")\nload_file("{folder / "stdgui.hoc"}")'
    cases["stdlib then pointman"] = 'load_file("stdlib.hoc")\nload_file("pointman.hoc")'
    cases["stdrun then electrod"] = 'load_file("stdrun.hoc")\nload_file("electrod.hoc")'
    theirs = _neuron(cases, tmp_path)
    # the measurement can fail both ways
    assert not theirs["alone atoltool.hoc"] and not theirs["again stdrun.hoc"] and not theirs["stdrun by path"]
    assert theirs["alone family.hoc"] and theirs["again nrngui.hoc"] and theirs["stdgui by path"]
    differ = {key: theirs[key] for key, text in cases.items() if _bridge(text, tmp_path) != theirs[key]}
    assert differ == {}


@pytest.mark.neuron
def test_load_file_again_and_with_a_declared_name_as_neuron(tmp_path):
    (tmp_path / "params.hoc").write_text("gl = 0.0003\nprint \"params\"\n")
    text = """load_file("params.hoc")
gl = 0.0005
load_file("params.hoc")
printf("once %g\\n", gl)
gl = 0.0005
load_file(1, "params.hoc")
printf("again %g\\n", gl)
load_file(0, "params.hoc")
load_file("params.hoc", "gl")
load_file(1, "params.hoc", "gl")
"""
    (tmp_path / "m.hoc").write_text(text)
    proc = subprocess.run([sys.executable, "-c", "from neuron import h\nh.load_file('m.hoc')\n"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    theirs = proc.stdout.splitlines()
    assert "again 0.0003" in theirs and [ln.strip() for ln in theirs].count("params") == 2, proc.stdout + proc.stderr
    out = io.StringIO()
    HocSession(cwd=tmp_path, stdout=out).load_file(tmp_path / "m.hoc")
    assert out.getvalue().splitlines() == theirs


@pytest.mark.neuron
def test_a_template_defined_twice_stops_as_in_neuron(tmp_path):
    """hoc_begintemplate (src/oc/hoc_oop.cpp): "T : a template cannot be redefined" (a file xopen'ed twice)."""
    (tmp_path / "cell.hoc").write_text("begintemplate T\npublic x\nproc init() { x = 1 }\nendtemplate T\n")
    text = 'xopen("cell.hoc")\nxopen("cell.hoc")'
    assert _neuron({"twice": text}, tmp_path) == {"twice": False}
    assert not _bridge(text, tmp_path)
    assert _bridge('load_file("cell.hoc")\nload_file("cell.hoc")', tmp_path)  # load_file runs a name once
