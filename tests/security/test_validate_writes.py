"""`bridge validate --out`: the model may write, NEURON on a copy of its folder; escapes are stopped in NEURON's
process (validation.write_guard) or, where there is no guard, refused before NEURON starts (validation.hoc_scan
with `writes`, validation.output_files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.readroots import ReadRoots
from validation.case import Case, Protocol
from validation.hoc_scan import scan
from validation.suite import run_case

QUICK = Protocol(tstop=2.0, record_all=False, record_states=False)
CELL = 'load_file("stdrun.hoc")\ncreate soma\nsoma { L = 20 diam = 20 insert hh }\nobjref f\nf = new File()\n'


def _scan(folder: Path, text: str, writes: bool) -> list[str]:
    (folder / "m.hoc").write_text(text)
    return [str(f) for f in scan([folder / "m.hoc"], ReadRoots.of([folder]), folder, writes=writes)]


@pytest.fixture
def unguarded(monkeypatch):
    """As where NEURON's process has no write guard (not Linux): the scan judges the writes itself."""
    from validation import write_guard

    monkeypatch.setattr(write_guard, "GUARDED", False)


def test_with_an_output_folder_only_literal_relative_writes_pass_the_scan(tmp_path, unguarded):
    text = ('proc a() { f.wopen("out/v.dat") f.aopen("log.txt") wopen("x.dat") wopen() f.wopen() }\n'
            'proc b() { f.wopen("/tmp/evil") }\n'
            'proc c() { f.aopen("../evil") }\n'
            'proc d() { f.wopen($s1) }\n'
            'proc e() { chdir("/tmp") f.wopen("x") }\n'
            'proc f2() { execute("wopen(\\"/etc/x\\")") }\n'
            'proc g() { wopen("~/x") unlink("x.dat") }\n')
    m = tmp_path / "m.hoc"
    assert _scan(tmp_path, text, writes=True) == [
        f'{m}:2: wopen("/tmp/evil") writes an absolute name: only relative names are written',
        f"{m}:3: aopen(\"../evil\") writes a name leading out of the model folder ('..'): only relative names "
        "are written",
        f"{m}:4: wopen() of a name computed at run time: NEURON's write could not be checked",
        f"{m}:5: chdir(\"/tmp\") to an absolute folder: writes after it would leave NEURON's copy of the model "
        "folder",
        f'{m}:6: wopen("/etc/x") writes an absolute name: only relative names are written',
        f'{m}:7: wopen("~/x") writes an absolute name: only relative names are written',
        f"{m}:7: unlink() deletes a file",
    ]
    # without an output folder every write stays refused
    assert len(_scan(tmp_path, text, writes=False)) == 12  # each wopen/aopen but wopen(), chdir, unlink


def test_with_the_write_guard_the_scan_leaves_writes_to_it(tmp_path, monkeypatch):
    """NEURON's process writes only inside the output folder (validation.write_guard): the scan reports no
    write, with or without an output folder, and still reports what runs code or reads outside."""
    from validation import write_guard

    monkeypatch.setattr(write_guard, "GUARDED", True)
    text = ('strdef s\nproc a() { sprint(s, "%s/x", "/tmp") f.wopen(s) printfile("/tmp/x") unlink(s) }\n'
            'proc b() { wopen("../x") save_session("s.ses") hoc_stdout("/tmp/o") mkdir("d") }\n'
            'proc c() { nrnpython("1") }\n')
    m = tmp_path / "m.hoc"
    for writes in (True, False):
        assert _scan(tmp_path, text, writes=writes) == [f"{m}:4: nrnpython() runs Python code"]


def test_a_strdef_that_only_holds_literal_relative_names_may_be_written(tmp_path, unguarded):
    """`sprint(datei, "outputfilename")  f.wopen(datei)` (ModelDB 115356, 123927, 125152): the strdef
    only ever holds literals, in every file scanned; any other use of the name keeps the refusal."""
    ok = ('strdef datei, other\ndatei = "a.dat"\nproc save() { sprint(datei, "out/b.dat") f.wopen(datei) '
          'f.aopen(datei) }\n')
    assert _scan(tmp_path, CELL + ok, writes=True) == []
    m = tmp_path / "m.hoc"
    bad = {
        'datei = "/etc/x"': "absolute literal",
        'sprint(datei, "../x")': "'..' literal",
        'sprint(datei, "%s", other)': "formatted sprint",
        "getstr(datei)": "read from the terminal",
        "p(datei)": "passed to a procedure ($s1 = ...)",
        'execute("datei = \\"/etc/x\\"")': "assigned inside execute()",
        'cell.datei = "/x"': "a field of that name assigned from outside",
        "datei = other": "copied from another strdef",
    }
    for extra, why in bad.items():
        found = _scan(tmp_path, CELL + ok + extra + "\n", writes=True)
        tail = "(datei) of a name computed at run time: NEURON's write could not be checked"
        assert found == [f"{m}:8: wopen{tail}", f"{m}:8: aopen{tail}"], why
    # the uses may sit in another scanned file: a name assigned badly there is refused too
    assert _scan(tmp_path, CELL + ok, writes=True) == []
    (tmp_path / "other.hoc").write_text('sprint(datei, "%s", "/etc/passwd")\n')
    two = scan([tmp_path / "m.hoc", tmp_path / "other.hoc"], ReadRoots.of([tmp_path]), tmp_path, writes=True)
    assert len(two) == 2


@pytest.mark.neuron
@pytest.mark.parametrize("name", ["/tmp/bridge-escape-{tag}", "../escape-{tag}", "sub/../../escape-{tag}"])
def test_an_escaping_write_in_a_procedure_never_called(tmp_path, monkeypatch, name):
    """With the write guard NEURON runs (the write would stop it: tests/security/test_write_guard.py) and, the
    procedure never called, the case passes; without it the scan refuses the model before NEURON starts."""
    from validation import write_guard

    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    target = name.format(tag=tmp_path.name)
    (model / "m.hoc").write_text(CELL + f'proc save() {{\n  f.wopen("{target}")\n  f.printf("x")\n}}\n')
    if write_guard.GUARDED:
        result = run_case(Case("esc", hoc=model / "m.hoc", protocol=QUICK, output_dir=tmp_path / "out"))
        assert result.status == "pass", result.error
        assert not Path(target).exists() and not (tmp_path / f"escape-{tmp_path.name}").exists()
    monkeypatch.setattr(write_guard, "GUARDED", False)
    result = run_case(Case("esc", hoc=model / "m.hoc", protocol=QUICK, output_dir=tmp_path / "out2"))
    assert result.status == "error" and result.neuron is None, result.error
    assert f'{model / "m.hoc"}:7: wopen("{target}") writes' in result.error and "NEURON was not started" in result.error
    assert not (tmp_path / "out2" / "neuron-output").exists()


@pytest.mark.neuron
@pytest.mark.parametrize("name", ["/tmp/bridge-escape-top", "../escape"])
def test_an_escaping_write_bridge_runs_is_refused_by_bridge(tmp_path, name):
    model = tmp_path / "model"
    model.mkdir()
    (model / "m.hoc").write_text(CELL + f'f.wopen("{name}")\n')
    result = run_case(Case("esc", hoc=model / "m.hoc", protocol=QUICK, output_dir=tmp_path / "out"))
    assert result.status == "error" and result.neuron is None
    assert "is refused" in result.error and "NEURON was not started" in result.error
    assert not Path(name if name.startswith("/") else tmp_path / "escape").exists()


@pytest.mark.neuron
def test_neuron_writes_into_the_copy_not_the_model_folder(tmp_path):
    """A write in the run (stdrun's `advance()`, which NEURON's continuerun calls each step, and bridge's too:
    bridge.hoc.own_step) lands in NEURON's copy of the model folder, and bridge's in its output folder."""
    model, out = tmp_path / "model", tmp_path / "out"
    model.mkdir()
    (model / "m.hoc").write_text(CELL + 'n = 0\nproc advance() {\n  fadvance()\n  n += 1\n'
                                        '  if (n == 3) { f.wopen("steps.txt") f.printf("%d\\n", n) f.close() }\n}\n')
    result = run_case(Case("adv", hoc=model / "m.hoc", protocol=QUICK, output_dir=out))
    assert sorted(p.name for p in model.iterdir()) == ["m.hoc"]
    assert (out / "neuron-output" / "steps.txt").read_text() == "3\n"
    assert (out / "model-output" / "steps.txt").read_text() == "3\n"
    assert result.status == "pass" and [(f.name, f.status) for f in result.files] == [("steps.txt", "same")]
