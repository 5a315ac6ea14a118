"""NEURON's process writes only inside the output folder (validation.write_guard): a write anywhere else, under
a literal, computed, `..` or symlinked name, stops NEURON before the file is made; writes inside work and their
files compare. Each escape test leaves a sentinel that exists only if the write happened."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from validation import write_guard
from validation.case import Case, Protocol
from validation.suite import run_case

pytestmark = pytest.mark.skipif(not write_guard.GUARDED, reason="the write guard needs Linux's LD_PRELOAD")

QUICK = Protocol(tstop=2.0, record_all=False, record_states=False)
CELL = 'load_file("stdrun.hoc")\ncreate soma\nsoma { L = 20 diam = 20 insert hh }\nobjref f\nf = new File()\n'
STOPPED = "was stopped: bridge lets NEURON write only inside the output folder (validation.write_guard)"


def _guarded(code: str, root: Path, files: list[Path] = ()) -> subprocess.CompletedProcess:
    """Python's `code` in a process with the guard preloaded, writes allowed inside `root` and to `files`."""
    env = write_guard.guarded_env(dict(os.environ), [root], files)
    return subprocess.run([sys.executable, "-P", "-c", code], env=env, cwd=root, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def place(tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (out / "link").symlink_to(outside)  # a folder link in the output folder leading out
    (out / "dangling").symlink_to(outside / "SENTINEL")
    (out / "mine.txt").write_text("mine")
    return out, outside


@pytest.mark.parametrize("code", [
    "open({o!r} + '/SENTINEL', 'w')",                         # an absolute name outside
    "open('../outside/SENTINEL', 'w')",                       # '..'
    "open('sub/../../outside/SENTINEL', 'a')",                # '..' through a folder inside
    "open('link/SENTINEL', 'w')",                             # a symlinked folder in the output folder
    "open('dangling', 'w')",                                  # a dangling link: creating it writes outside
    "os.open('../outside/SENTINEL', os.O_WRONLY | os.O_CREAT)",
    "os.open('SENTINEL', os.O_WRONLY | os.O_CREAT, dir_fd=os.open({o!r}, os.O_RDONLY))",  # openat
    "os.open({o!r} + '/keep.txt', os.O_RDWR)",                # read-write of an existing file
    "os.unlink({o!r} + '/keep.txt')",
    "os.unlink('link/keep.txt')",
    "os.rename({o!r} + '/keep.txt', 'stolen.txt')",           # moving a file out of the folder's reach
    "os.rename('mine.txt', {o!r} + '/SENTINEL')",
    "os.link({o!r} + '/keep.txt', 'hard.txt')",               # a hard link to a file outside
    "os.symlink('x', {o!r} + '/SENTINEL')",
    "os.mkdir({o!r} + '/SENTINEL')",
    "os.rmdir({o!r})",
    "os.truncate({o!r} + '/keep.txt', 0)",
    "os.truncate('link/keep.txt', 0)",
    # mkstemp's family creates through the C library's own open (NEURON's File.mktemp, pwman.cpp)
    "import ctypes\nctypes.CDLL(None).mkstemp(ctypes.create_string_buffer({o!r}.encode() + b'/SENTINELXXXXXX'))",
    "import ctypes\nctypes.CDLL(None).mkstemp(ctypes.create_string_buffer(b'link/SENTINELXXXXXX'))",
    "import ctypes\nctypes.CDLL(None).mkdtemp(ctypes.create_string_buffer({o!r}.encode() + b'/SENTINELXXXXXX'))",
])
def test_a_write_outside_the_folder_stops_the_process(place, code):
    out, outside = place
    (out / "sub").mkdir()
    proc = _guarded("import os\n" + code.format(o=str(outside)), out)
    assert proc.returncode == 86 and STOPPED in proc.stderr, (proc.returncode, proc.stderr)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"] and (outside / "keep.txt").read_text() == "keep"
    assert not (out / "stolen.txt").exists() and not (out / "hard.txt").exists()


def test_writes_inside_the_folder_and_to_the_named_file_go_through(place, tmp_path):
    out, _ = place
    result = tmp_path / "result.npz"
    code = ("import os\nopen('a.txt', 'w').write('a')\nos.mkdir('d')\nopen('d/b.txt', 'a').write('b')\n"
            "os.rename('d/b.txt', 'c.txt')\nos.rmdir('d')\nos.symlink('c.txt', 'l')\nos.unlink('l')\n"
            f"open({str(result)!r}, 'wb').write(b'r')\nopen('/dev/null', 'w').write('x')\n"
            "print(open('/etc/passwd').read(4))\n"  # reading anywhere is not this guard's business
            "print(open('nowhere/x', 'w') if False else 'ok')\n")
    proc = _guarded(code, out, [result])
    assert proc.returncode == 0, proc.stderr
    assert (out / "a.txt").read_text() == "a" and (out / "c.txt").read_text() == "b" and result.read_bytes() == b"r"
    # a folder that does not exist: the C library's error, as NEURON would get it (wopen returns 0)
    proc = _guarded("try:\n    open('nowhere/x', 'w')\nexcept FileNotFoundError:\n    print('enoent')\n", out)
    assert proc.returncode == 0 and proc.stdout.strip() == "enoent"


def test_the_allowed_places_are_not_left_in_the_environment(place):
    out, _ = place
    proc = _guarded("import os\nprint(os.environ.get('BRIDGE_WRITE_ALLOWED'))", out)
    assert proc.returncode == 0 and proc.stdout.strip() == "None"


# ------------------------------------------------------------------------------- NEURON, end to end

def _advance(body: str) -> str:
    """A model whose stdrun `advance()` (NEURON's run calls it, bridge's never does) runs `body` at step 3."""
    return CELL + ("strdef s\nn = 0\nproc advance() {\n  fadvance()\n  n += 1\n"
                   f"  if (n == 3) {{\n    {body}\n  }}\n}}\n")


@pytest.mark.neuron
@pytest.mark.parametrize("body", [
    'f.wopen("{o}/SENTINEL") f.printf("x") f.close()',                   # a literal absolute name
    'sprint(s, "%s/%s", "{o}", "SENTINEL") f.wopen(s) f.printf("x")',   # computed at run time
    'sprint(s, "%s/SENTINEL", "..") f.aopen(s) f.printf("x")',          # computed, leading out of the copy
    'f.wopen("../SENTINEL") f.printf("x")',                             # a literal '..'
    'wopen("{o}/SENTINEL") fprint("x") wopen()',                        # HOC's own wopen
    'sprint(s, "%s/keep.txt", "{o}") f.ropen(s) f.unlink()',          # File.unlink (ropen only reads)
    'hoc_stdout("{o}/SENTINEL") print "x" hoc_stdout()',
])
def test_neuron_writing_outside_the_output_folder_is_stopped(tmp_path, body):
    """Each of these passed the static scan (validation.hoc_scan leaves writes to the guard): NEURON runs
    and is stopped by the guard at the write, and nothing outside changes (NEURON runs on a copy of the model
    folder in a temporary folder: `../SENTINEL` would land beside that copy)."""
    model, outside = tmp_path / "model", tmp_path / "outside"
    model.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (model / "m.hoc").write_text(_advance(body.replace("{o}", str(outside))))
    result = run_case(Case("esc", hoc=model / "m.hoc", protocol=QUICK, output_dir=tmp_path / "out"))
    assert result.status == "error" and result.neuron is None, result.error
    assert "NEURON run of case 'esc' failed" in result.error and STOPPED in result.error, result.error
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"] and (outside / "keep.txt").read_text() == "keep"
    assert sorted(p.name for p in model.iterdir()) == ["m.hoc"]


@pytest.mark.neuron
def test_without_an_output_folder_every_neuron_write_is_stopped(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "m.hoc").write_text(_advance('f.wopen("steps.txt") f.printf("x") f.close()'))
    result = run_case(Case("nowrite", hoc=model / "m.hoc", protocol=QUICK))
    assert result.status == "error" and STOPPED in result.error and 'fopen("steps.txt", "w")' in result.error
    assert sorted(p.name for p in model.iterdir()) == ["m.hoc"]


@pytest.mark.neuron
def test_a_computed_write_inside_the_output_folder_runs_on_both_sides_and_compares(tmp_path):
    """`sprint(s, "v_%d.dat", k)  f.wopen(s)` (the static scan refused this before the guard): bridge and NEURON
    each write the trace after the run, and the files compare."""
    model, out = tmp_path / "model", tmp_path / "out"
    model.mkdir()
    (model / "m.hoc").write_text(
        CELL + "objref vv, tt\nvv = new Vector()\ntt = new Vector()\nvv.record(&soma.v(0.5))\ntt.record(&t)\n"
        "tstop = 2\nrun()\nk = 7\nstrdef s\nsprint(s, \"v_%d.dat\", k)\nf.wopen(s)\n"
        "for i = 0, vv.size() - 1 { f.printf(\"%.17g %.17g\\n\", tt.x[i], vv.x[i]) }\nf.close()\n")
    result = run_case(Case("inside", hoc=model / "m.hoc", protocol=QUICK, output_dir=out))
    assert result.status == "pass", result.error
    assert [(f.name, f.status) for f in result.files] == [("v_7.dat", "same")], result.files
    assert (out / "neuron-output" / "v_7.dat").read_text().count("\n") > 10
    assert sorted(p.name for p in model.iterdir()) == ["m.hoc"]
