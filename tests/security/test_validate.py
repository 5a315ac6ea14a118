"""`bridge validate` never starts NEURON on a model bridge refused, and gives NEURON only what bridge accepted.

NEURON is not sandboxed: it runs a model's shell commands, the procedures bridge never calls
(stdrun's `run()` calls a model's own `proc advance()`), the C code of every .mod file it compiles
(a constructor in a VERBATIM block runs when the library loads), a compiled library in its working
directory, and Python modules found there. Each test leaves a sentinel file that exists only if
NEURON (or anything else) ran the model's command.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from validation.case import Case, Protocol
from validation.suite import run_case

QUICK = Protocol(tstop=2.0, record_all=False, record_states=False)
CELL = 'load_file("stdrun.hoc")\ncreate soma\nsoma { L = 20 diam = 20 insert hh }\n'


def _ctor_mod(name: str, sentinel: Path) -> str:
    """A density mechanism whose VERBATIM C runs a shell command when its library is loaded."""
    return (f"NEURON {{ SUFFIX {name} }}\nVERBATIM\n#include <stdlib.h>\n"
            f"__attribute__((constructor)) static void {name}_ctor(void) {{ system(\"touch {sentinel}\"); }}\n"
            "ENDVERBATIM\n")


@pytest.mark.neuron
def test_a_model_bridge_refuses_never_starts_neuron(tmp_path):
    sentinel = tmp_path / "SENTINEL"
    (tmp_path / "m.hoc").write_text(CELL + f'system("touch {sentinel}")\n')
    result = run_case(Case("shell", hoc=tmp_path / "m.hoc", protocol=QUICK))
    assert result.status == "error" and result.neuron is None
    assert "system() is refused" in result.error and f"{tmp_path / 'm.hoc'}:4:1" in result.error
    assert "NEURON was not started" in result.error
    assert not sentinel.exists()


@pytest.mark.neuron
@pytest.mark.parametrize("how", ["system(\"touch {s}\")", "strdef o\n  system(\"touch {s}\", o)",
                                 "strdef c\n  sprint(c, \"touch %s\", \"{s}\")\n  system(c)"])
def test_a_shell_command_in_a_procedure_bridge_never_calls_stops_neuron(tmp_path, how):
    """The static scan cannot judge system() (a computed command); NEURON's process runs only the commands
    bridge's run answered (validation.shell_guard): one in stdrun's advance(), which bridge never calls,
    stops NEURON before the shell runs."""
    sentinel = tmp_path / "SENTINEL"
    body = how.replace("{s}", str(sentinel))
    (tmp_path / "lib.hoc").write_text(f"proc advance() {{ localobj x\n  {body}\n  fadvance()\n}}\n")
    (tmp_path / "m.hoc").write_text(CELL + 'load_file("lib.hoc")\n')
    result = run_case(Case("advance", hoc=tmp_path / "m.hoc", protocol=QUICK))
    assert result.status == "error" and result.neuron is None
    assert f'system("touch {sentinel}") was stopped' in result.error or \
        f'popen("touch {sentinel}") was stopped' in result.error
    assert not sentinel.exists()


@pytest.mark.neuron
def test_neuron_runs_the_commands_bridge_answered(tmp_path):
    """`system("uname -m", s)` at load time: bridge answers it, NEURON runs it (the guard lets it through),
    and the model runs on both sides."""
    (tmp_path / "m.hoc").write_text(CELL + 'strdef s\nx = system("uname -m", s)\nsystem("date +%y%b%d")\n'
                                    'soma.gnabar_hh = 0.12 + 0.001 * (strcmp(s, "") != 0)\n')
    result = run_case(Case("info", hoc=tmp_path / "m.hoc", protocol=QUICK))
    assert result.status == "pass", result.error


@pytest.mark.neuron
def test_an_unused_mod_file_is_not_compiled_for_neuron(tmp_path):
    sentinel = tmp_path / "SENTINEL"
    (tmp_path / "unused.mod").write_text(_ctor_mod("unusedctor", sentinel))
    (tmp_path / "m.hoc").write_text(CELL)
    result = run_case(Case("unused", hoc=tmp_path / "m.hoc", mechanisms=tmp_path, protocol=QUICK))
    assert result.status == "pass", result.error
    assert not sentinel.exists()


@pytest.mark.neuron
def test_validate_of_a_mod_folder_compiles_only_what_bridge_translated(tmp_path):
    from validation.mechanism_cases import mechanism_cases

    sentinel = tmp_path / "SENTINEL"
    (tmp_path / "leak.mod").write_text("NEURON { SUFFIX leakx NONSPECIFIC_CURRENT i RANGE g }\n"
                                       "PARAMETER { g = 0.0001 }\nASSIGNED { v i }\nBREAKPOINT { i = g*(v + 70) }\n")
    (tmp_path / "evil.mod").write_text(_ctor_mod("evilctor", sentinel))
    files = sorted(tmp_path.glob("*.mod"))
    results = [run_case(c) for c in mechanism_cases(files, Protocol(tstop=2.0))]
    by_file = {r.name: r for r in results}
    assert by_file["leak.mod:depolarising"].status == "pass", by_file["leak.mod:depolarising"].error
    evil = by_file["evil.mod:depolarising"]
    assert evil.status == "error" and evil.neuron is None and "VERBATIM" in evil.error
    assert not sentinel.exists()


@pytest.mark.neuron
def test_neuron_does_not_pick_up_a_library_or_python_module_of_the_model_folder(tmp_path):
    sentinel = tmp_path / "SENTINEL"
    build = tmp_path / "build"
    build.mkdir()
    (build / "lib.mod").write_text(_ctor_mod("libctor", sentinel))
    nrnivmodl = Path(shutil.which("nrnivmodl") or Path(subprocess.sys.executable).parent / "nrnivmodl")
    subprocess.run([str(nrnivmodl), "."], cwd=build, capture_output=True, check=True, timeout=300)
    sentinel.unlink(missing_ok=True)
    model = tmp_path / "model"
    model.mkdir()
    for arch in build.iterdir():  # x86_64/ (or arm64/, ...): what `import neuron` loads from its working directory
        if arch.is_dir() and any(arch.glob("**/libnrnmech.*")):
            shutil.copytree(arch, model / arch.name, symlinks=True)
    (model / "json.py").write_text(f"open({str(sentinel)!r}, 'w').close()\n")  # shadows the standard json module
    (model / "m.hoc").write_text(CELL)
    result = run_case(Case("dir", hoc=model / "m.hoc", protocol=QUICK))
    assert result.status == "pass", result.error
    assert not sentinel.exists()


def _scan(tmp_path: Path, main: str, **files: str):
    from bridge.readroots import ReadRoots
    from validation.hoc_scan import scan

    for name, text in files.items():
        (tmp_path / name.replace("__", ".")).write_text(text)
    (tmp_path / "m.hoc").write_text(main)
    return [str(f) for f in scan([tmp_path / "m.hoc"], ReadRoots.of([tmp_path]), tmp_path)]


def test_scan_finds_what_bridge_refuses_anywhere_in_the_code(tmp_path, monkeypatch):
    """Writes are findings where NEURON's process has no write guard (validation.write_guard); with the
    guard, the scan leaves them to it."""
    from validation import write_guard

    monkeypatch.setattr(write_guard, "GUARDED", False)
    found = _scan(tmp_path, 'x = 1 // system("no: a comment")\n/* nrnpython("no") */\n'
                            'proc p() {\n  execute("nrnpython(\\"ls\\")")\n}\n'
                            'hoc_stdout()\nobjref f\nf = new File()\nf.wopen("out.dat")\n'
                            'nrn_load_dll("x86_64/.libs/libnrnmech.so")\nobjref py\npy = new PythonObject()\n'
                            'nrn_load_dll("nowhere/libnrnmech.so")\n',
                  libnrnmech__so="not really a library")
    m = tmp_path / "m.hoc"
    assert found == [f"{m}:4: nrnpython() runs Python code", f"{m}:9: wopen() opens a file for writing",
                     f"{m}:12: PythonObject() runs Python code"]
    monkeypatch.setattr(write_guard, "GUARDED", True)
    assert _scan(tmp_path, (tmp_path / "m.hoc").read_text()) == [
        f"{m}:4: nrnpython() runs Python code", f"{m}:12: PythonObject() runs Python code"]
    (tmp_path / "x86_64" / ".libs").mkdir(parents=True)
    (tmp_path / "libnrnmech.so").rename(tmp_path / "x86_64" / ".libs" / "libnrnmech.so")
    found = _scan(tmp_path, (tmp_path / "m.hoc").read_text())
    assert f'{m}:10: nrn_load_dll("x86_64/.libs/libnrnmech.so") loads compiled code from the model\'s library file' \
        in found


def test_scan_follows_literal_file_names_and_flags_reads_outside(tmp_path, monkeypatch):
    from validation import write_guard

    monkeypatch.setattr(write_guard, "GUARDED", False)  # unlink() is a finding (there is no write guard)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.hoc").write_text("x = 1\n")
    model = tmp_path / "model"
    model.mkdir()
    found = _scan(model, 'load_file("stdrun.hoc")\nproc q() { xopen("sub.hoc") ropen("../outside/x.hoc") }\n'
                         'execute1("xopen(\\"../outside/x.hoc\\")")\n',
                  stdrun__hoc='proc run() { unlink("ls") }\n', sub__hoc='proc r() { unlink("f") }\n')
    m = model / "m.hoc"
    assert len(found) == 4
    assert found[0].startswith(f'{m}:2: ropen("../outside/x.hoc"): {tmp_path / "outside" / "x.hoc"} is outside')
    assert found[1].startswith(f'{m}:3: xopen("../outside/x.hoc"): ')  # a literal inside a literal
    assert found[2] == f"{model / 'stdrun.hoc'}:1: unlink() deletes a file"  # the model's own copy
    assert found[3] == f"{model / 'sub.hoc'}:1: unlink() deletes a file"


def test_validate_takes_allow_read(tmp_path):
    from bridge.cli import build_parser
    from validation.command import cases_from_args

    (tmp_path / "m.hoc").write_text("create soma\n")
    args = build_parser().parse_args(["validate", str(tmp_path / "m.hoc"), "--allow-read", str(tmp_path)])
    assert cases_from_args(tmp_path / "m.hoc", args)[0].allow_read == (tmp_path.resolve(),)


def test_validate_help_says_neuron_is_not_sandboxed():
    from bridge.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["validate"]
    text = " ".join(sub.format_help().split())
    assert "validation executes the model in NEURON, which is not sandboxed" in text
    assert "--allow-read DIR" in text


def test_a_fifo_in_a_mod_folder_is_an_error_not_a_hang(tmp_path):
    import os
    import threading

    from bridge.cli import build_parser
    from bridge.errors import BridgeError
    from validation.command import cases_from_args

    (tmp_path / "a.mod").write_text("NEURON { SUFFIX a }\n")
    os.mkfifo(tmp_path / "b.mod")
    args = build_parser().parse_args(["validate", str(tmp_path)])
    box = {}

    def run():
        try:
            cases_from_args(tmp_path, args)
        except BridgeError as err:
            box["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "reading the FIFO hung"
    assert "not a regular file" in str(box["error"])


def test_without_the_guard_the_scan_refuses_every_system_call(tmp_path, monkeypatch):
    """Where NEURON's process cannot be guarded (not Linux), system() anywhere in the HOC stops NEURON."""
    from validation import shell_guard

    monkeypatch.setattr(shell_guard, "GUARDED", False)
    found = _scan(tmp_path, 'strdef s\nproc p() {\n  system("uname -m", s)\n}\n')
    assert found == [f"{tmp_path / 'm.hoc'}:3: system() runs a shell command (NEURON's process has no guard on this "
                     "platform)"]
    assert shell_guard.guarded_env({"A": "1"}, ["uname -m"]) == {"A": "1"}
