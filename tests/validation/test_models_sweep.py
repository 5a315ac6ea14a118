"""The ModelDB sweep's harness (`python -m validation models`) on model folders written by us.

Discovery, the list file, classification (a model bridge refuses never reaches NEURON: neither
nrnivmodl nor NEURON's subprocess starts), resume, the per-model time limit and the report.
The PASS case runs real NEURON and compares; no expected trace is stored.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bridge.errors import BridgeError
from validation import models_sweep, neuron_case, neuron_run
from validation.models_catalog import ModelEntry, discover, load_list, parse_entry, select
from validation.models_report import render, summary
from validation.models_run import reason_key, run_model

MODELS = Path(__file__).parent / "data" / "models"


# ----------------------------------------------------------------------------------------- discovery

def test_discovery_takes_mosinit_and_the_mod_files_next_to_it():
    hoc, mech = discover(MODELS / "passive_ok", ModelEntry("passive_ok"))
    assert hoc.name == "mosinit.hoc" and mech == MODELS / "passive_ok"


def test_discovery_takes_init_hoc_without_mosinit_and_no_mechanisms():
    hoc, mech = discover(MODELS / "init_only", ModelEntry("init_only"))
    assert hoc.name == "init.hoc" and mech is None


def test_discovery_finds_the_one_subfolder_of_mod_files_below_the_model():
    hoc, mech = discover(MODELS / "nested", ModelEntry("nested"))
    assert hoc == MODELS / "nested" / "mosinit.hoc"
    assert mech == MODELS / "nested" / "cell" / "mod"  # not next to mosinit, not one level down: searched again


def test_discovery_entry_and_mechanisms_from_the_list():
    hoc, mech = discover(MODELS / "nested", ModelEntry("nested", entry="cell/model.hoc", mechanisms="cell/mod"))
    assert hoc == MODELS / "nested" / "cell" / "model.hoc" and mech == MODELS / "nested" / "cell" / "mod"
    with pytest.raises(BridgeError, match="entry nope.hoc not found"):
        discover(MODELS / "nested", ModelEntry("nested", entry="nope.hoc"))


@pytest.mark.parametrize("folder, match", [("several", "several HOC files"), ("empty", "no HOC file")])
def test_no_entry_is_reported_and_nothing_runs(folder, match, monkeypatch):
    _forbid_neuron(monkeypatch)
    rec = run_model(MODELS / folder, ModelEntry(folder))
    assert rec["status"] == "NO-ENTRY" and match in rec["message"] and not rec["neuron_started"]


# ----------------------------------------------------------------------------------------- the list file

def test_list_file_parses_statements_and_tstop(tmp_path):
    path = tmp_path / "list.toml"
    path.write_text('[[model]]\nid = "1"\nwhy = "small"\n\n'
                    '[[model]]\nid = "2"\nentry = "a/b.hoc"\nstatements = ["run()"]\ntstop = 50\n'
                    'reason = "mosinit only builds the GUI"\n')
    models = load_list(path)
    assert [m.id for m in models] == ["1", "2"]
    assert models[1].statements == ("run()",) and models[1].tstop == 50.0 and models[1].entry == "a/b.hoc"
    assert [m.id for m in select(models, ["2"])] == ["2"]
    with pytest.raises(BridgeError, match="not in the model list: 3"):
        select(models, ["3"])


@pytest.mark.parametrize("table, match", [
    ({"id": "1", "statements": ["run()"]}, "need a one-line reason"),
    ({"id": "1", "tstop": 10}, "need a one-line reason"),
    ({"id": "1", "tstop": -1, "reason": "x"}, "tstop must be a positive number"),
    ({"id": "1", "statment": ["run()"]}, "unknown keys statment"),
    ({"why": "no id"}, "needs an id"),
    ({"id": "1", "entry": "/etc/passwd"}, "inside the model folder"),
    ({"id": "1", "mechanisms": "../other"}, "inside the model folder"),
    ({"id": "1", "statements": "run()", "reason": "x"}, "list of strings"),
])
def test_list_file_errors(table, match):
    with pytest.raises(BridgeError, match=match):
        parse_entry(table, "list.toml: model 1")


def test_list_file_duplicate_ids(tmp_path):
    path = tmp_path / "list.toml"
    path.write_text('[[model]]\nid = "1"\n[[model]]\nid = "1"\n')
    with pytest.raises(BridgeError, match="duplicate model ids 1"):
        load_list(path)


def test_the_repository_list_loads_and_names_at_least_110_models():
    models = load_list()
    assert len(models) >= 110
    assert all(m.why for m in models)


# ----------------------------------------------------------------------------------------- classification

def _forbid_neuron(monkeypatch) -> list[str]:
    """Make every route to NEURON (nrnivmodl, NEURON's subprocess, any subprocess) record and fail."""
    calls: list[str] = []

    def refuse(what):
        def _f(*args, **kwargs):
            calls.append(what)
            raise AssertionError(f"{what} started for a model bridge refused")
        return _f

    monkeypatch.setattr(neuron_case, "run_neuron_case", refuse("run_neuron_case"))
    monkeypatch.setattr(neuron_run, "compile_mod_files", refuse("compile_mod_files"))
    monkeypatch.setattr(subprocess, "run", refuse("subprocess.run"))
    monkeypatch.setattr(subprocess, "Popen", refuse("subprocess.Popen"))
    return calls


def test_a_refused_model_never_starts_neuron(monkeypatch, tmp_path):
    folder = tmp_path / "refused_system"
    shutil.copytree(MODELS / "refused_system", folder)
    calls = _forbid_neuron(monkeypatch)
    rec = run_model(folder, ModelEntry("refused_system"))
    assert rec["status"] == "REFUSED", rec
    assert rec["error_class"] == "HocRefusal" and "system" in rec["message"]
    assert "mosinit.hoc:5" in rec["message"]  # the construct's file and line
    assert rec["neuron_started"] is False and calls == []
    assert not (folder / "should_not_exist.txt").exists()


def test_a_refused_model_in_the_sweeps_subprocess_compiles_and_runs_nothing(monkeypatch, tmp_path):
    # The real route (a subprocess per model): nrnivmodl's cache stays empty, although the model's
    # mechanism would be compiled the moment NEURON were to run it, and the model's command never ran.
    folder = tmp_path / "refused_system"
    shutil.copytree(MODELS / "refused_system", folder)
    monkeypatch.setenv("BRIDGE_CACHE", str(tmp_path / "cache"))
    rec = models_sweep.run_one(folder, ModelEntry("refused_system"), timeout=120.0, log=tmp_path / "log")
    assert rec["status"] == "REFUSED" and rec["error_class"] == "HocRefusal" and not rec["neuron_started"]
    assert not (tmp_path / "cache" / "nrnivmodl").exists()
    assert not (folder / "should_not_exist.txt").exists()


def test_a_model_that_builds_no_section_is_not_headless_and_neuron_never_starts(monkeypatch, tmp_path):
    # Its menu would build the cell: bridge's side finds no section, so NEURON has nothing to compare.
    folder = tmp_path / "menu_only"
    folder.mkdir()
    (folder / "mosinit.hoc").write_text("proc make_cell() { create soma }\nxpanel(\"Cell\")\n"
                                        "xbutton(\"Make\", \"make_cell()\")\nxpanel()\n")
    calls = _forbid_neuron(monkeypatch)
    rec = run_model(folder, ModelEntry("menu_only"))
    assert rec["status"] == "NOT-HEADLESS", rec
    assert calls == [] and not rec["neuron_started"]


def test_a_refused_mechanism_is_never_compiled(monkeypatch, tmp_path):
    folder = tmp_path / "verbatim_model"
    folder.mkdir()
    (folder / "mosinit.hoc").write_text("create soma\naccess soma\nsoma insert cfun\ntstop = 5\n")
    (folder / "cfun.mod").write_text(
        "NEURON { SUFFIX cfun NONSPECIFIC_CURRENT i RANGE g }\nPARAMETER { g = 0.001 (S/cm2) }\n"
        "ASSIGNED { v (mV) i (mA/cm2) }\nBREAKPOINT {\nVERBATIM\n  system(\"touch pwned\");\nENDVERBATIM\n"
        "  i = g * v\n}\n")
    calls = _forbid_neuron(monkeypatch)
    rec = run_model(folder, ModelEntry("verbatim_model"))
    assert rec["status"] == "REFUSED", rec
    assert "cfun" in rec["message"] and "VERBATIM" in rec["message"] and calls == [] and not rec["neuron_started"]
    assert rec["reason"].startswith("mechanism: ") and "VERBATIM" in rec["reason"]  # counted by the translator's error


def test_a_bridge_crash_before_neuron_never_starts_neuron(monkeypatch):
    import validation.preflight

    def crash(case):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(validation.preflight, "preflight", crash)
    calls = _forbid_neuron(monkeypatch)
    rec = run_model(MODELS / "passive_ok", ModelEntry("passive_ok"))
    assert rec["status"] == "BRIDGE-CRASH" and "ZeroDivisionError" in rec["message"] and calls == []


@pytest.mark.neuron
def test_an_accepted_model_passes_against_neuron_with_the_lists_statements_and_tstop():
    model = ModelEntry("passive_ok", statements=("stim.amp = 0.5",), tstop=8.0, reason="shorter, stronger")
    rec = run_model(MODELS / "passive_ok", model)
    assert rec["status"] == "PASS", rec
    assert rec["neuron_started"] and rec["max_dv"] <= 1e-9 and rec["tstop"] == 8.0
    assert rec["entry"] == "mosinit.hoc" and rec["mechanisms"] == "."
    assert rec["spike_counts"][0] == rec["spike_counts"][1] >= 1  # 0.5 nA from 2 ms makes the soma fire by 8 ms


@pytest.mark.neuron
def test_an_entry_in_a_subfolder_reads_shared_files_of_its_model_folder(tmp_path):
    # net/coba/init.hoc loads ../common/cell.hoc (ModelDB 83319's layout): the model folder is the read root,
    # not the entry's folder; NEURON runs on a copy of the same folder and the traces agree.
    rec = run_model(MODELS / "shared_common", ModelEntry("shared_common", entry="net/coba/init.hoc"),
                    output_dir=tmp_path / "out")
    assert rec["status"] == "PASS", rec
    assert rec["max_dv"] <= 1e-9 and rec["spike_counts"][0] == rec["spike_counts"][1] >= 1


def test_a_read_outside_the_model_folder_is_still_refused(monkeypatch, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(MODELS / "shared_common", folder)
    (tmp_path / "outside.hoc").write_text("create soma\n")
    entry = folder / "net" / "coba" / "init.hoc"
    entry.write_text(entry.read_text().replace("../common/cell.hoc", "../../../outside.hoc"))
    calls = _forbid_neuron(monkeypatch)
    rec = run_model(folder, ModelEntry("model", entry="net/coba/init.hoc"))
    assert rec["status"] == "REFUSED" and "outside" in rec["message"], rec
    assert rec["neuron_started"] is False and calls == []


@pytest.mark.parametrize("text, status", [
    ("nrnivmodl failed on leak1.mod:\nleak1.mod:3: error: something", "NEURON-COMPILE"),
    ("NEURON run of case 'passive_ok' failed:\nnrniv: syntax error\n near line 3", "NEURON-ERROR"),
    ("NEURON run of case 'passive_ok' took longer than 5 s", "NEURON-ERROR"),
    ("NEURON run of case 'passive_ok' failed:\nNEURON: the model has no sections", "NOT-HEADLESS"),
])
def test_a_neuron_side_failure_is_classified(text, status, monkeypatch):
    seen = []

    def failing(case, **kwargs):
        seen.append(case.name)
        raise BridgeError(text)

    monkeypatch.setattr(neuron_case, "run_neuron_case", failing)
    rec = run_model(MODELS / "passive_ok", ModelEntry("passive_ok"))
    assert seen == ["passive_ok"] and rec["neuron_started"]  # bridge accepted the model first
    assert rec["status"] == status and rec["message"] == text.splitlines()[0]


# ----------------------------------------------------------------------------------------- sweep, resume, timeout

def test_resume_skips_models_with_a_record(tmp_path, monkeypatch):
    root = tmp_path / "models"
    shutil.copytree(MODELS, root)
    ran: list[str] = []

    def fake_run_one(folder, model, timeout, log=None, output_dir=None):
        ran.append(model.id)
        return {"id": model.id, "status": "NO-ENTRY", "seconds": 0.0, "message": "fake"}

    monkeypatch.setattr(models_sweep, "run_one", fake_run_one)
    models = [ModelEntry("init_only"), ModelEntry("several"), ModelEntry("missing_folder")]
    out = tmp_path / "out"
    models_sweep.sweep(root, models, out, 10.0, resume=False, echo=lambda *_: None)
    assert ran == ["init_only", "several"]  # a model without a folder is skipped, not recorded
    assert json.loads((out / "results" / "init_only.json").read_text())["status"] == "NO-ENTRY"
    (out / "results" / "several.json").unlink()
    ran.clear()
    records = models_sweep.sweep(root, models, out, 10.0, resume=True, echo=lambda *_: None)
    assert ran == ["several"] and [r["id"] for r in records] == ["init_only", "several"]
    ran.clear()
    models_sweep.sweep(root, models, out, 10.0, resume=False, echo=lambda *_: None)
    assert ran == ["init_only", "several"]  # without --resume every model runs again


def test_a_model_over_its_time_is_killed_and_reported_as_timeout(tmp_path):
    # 1 s is less than the subprocess needs to import bridge: it is killed before or while bridge runs.
    rec = models_sweep.run_one(MODELS / "passive_ok", ModelEntry("passive_ok"), timeout=1.0)
    assert rec["status"] == "TIMEOUT" and rec["phase"] in ("start", "bridge") and not rec["neuron_started"]
    assert rec["seconds"] < 30
    out = tmp_path / "out"
    [swept] = models_sweep.sweep(MODELS, [ModelEntry("passive_ok")], out, 1.0, resume=False, echo=lambda *_: None)
    assert swept["status"] == "TIMEOUT" and swept["entry"] == "mosinit.hoc"  # the parent names the entry


def test_the_subprocess_writes_the_record(tmp_path):
    rec = models_sweep.run_one(MODELS / "several", ModelEntry("several"), timeout=120.0, log=tmp_path / "log")
    assert rec["status"] == "NO-ENTRY" and "several HOC files" in rec["message"]


def test_main_writes_the_report_and_its_copy(tmp_path):
    copy = tmp_path / "copy.md"
    lst = tmp_path / "list.toml"
    lst.write_text('[[model]]\nid = "empty"\nwhy = "no HOC"\n')
    code = models_sweep.main([str(MODELS), "--list", str(lst), "--out", str(tmp_path / "out"), "--copy-to", str(copy)])
    assert code == 0
    text = copy.read_text()
    assert "| empty |" in text and "NO-ENTRY" in text and text == (tmp_path / "out" / "report.md").read_text()


# ----------------------------------------------------------------------------------------- report

def test_reason_key_groups_the_same_construct_in_different_files():
    a = reason_key("HocRefusal", "/x/a.hoc:3:1: NetCon is not supported for 'syn1' (12 targets)")
    b = reason_key("HocRefusal", "b.hoc:90:4: NetCon is not supported for 'AMPA[3]' (7 targets)")
    assert a == b == "HocRefusal: NetCon is not supported for <name> (N targets)"
    c = reason_key("HocError", "NetStim is one of NEURON's built-in mechanisms (looked in /work/m/7659 and x)")
    assert c == "HocError: NetStim is one of NEURON's built-in mechanisms (looked in <path> and x)"


def test_a_static_scan_refusal_is_counted_by_its_construct(monkeypatch):
    from validation import hoc_scan

    def scan(*args, **kw):
        raise hoc_scan.RefusedModel("the model's HOC uses what bridge refuses for security (...):\n"
                                    f"  {MODELS / 'passive_ok'}/run.hoc:13: wopen() opens a file for writing\n"
                                    f"  {MODELS / 'passive_ok'}/run.hoc:20: system() runs a command")

    monkeypatch.setattr(hoc_scan, "check", scan)
    calls = _forbid_neuron(monkeypatch)
    rec = run_model(MODELS / "passive_ok", ModelEntry("passive_ok"))
    assert rec["status"] == "REFUSED" and calls == [] and rec["error_class"] == "RefusedModel"
    assert rec["reason"] == "RefusedModel: wopen() opens a file for writing"
    assert "run.hoc:13: wopen()" in rec["message"] and str(MODELS) not in rec["message"]


def test_report_counts_and_ranks_reasons():
    recs = [{"id": "1", "status": "PASS", "max_dv": 1e-14, "entry": "mosinit.hoc"},
            {"id": "2", "status": "FAIL", "max_dv": 0.5, "reasons": ["max |dV| 0.5 mV > 1e-09 mV"]},
            {"id": "3", "status": "REFUSED", "reason": "HocRefusal: NetCon", "error_class": "HocRefusal",
             "message": "a.hoc:1: NetCon"},
            {"id": "4", "status": "REFUSED", "reason": "HocRefusal: NetCon"},
            {"id": "5", "status": "REFUSED", "reason": "UnsupportedFeature: VERBATIM"},
            {"id": "6", "status": "NEURON-ERROR", "message": "NEURON run failed"}]
    s = summary(recs)
    assert s["status"]["REFUSED"] == 3 and s["neuron_ran"] == 2 and s["pass_of_ran"] == 0.5
    assert s["reasons"][0] == ("HocRefusal: NetCon", ["3", "4"])
    text = render(recs, timeout=60)
    assert "| 2 | HocRefusal: NetCon | 3, 4 |" in text
    assert "| 2 |  | FAIL | 0.5 |" in text and "PASS: 1/6 of all models" in text


def test_report_counts_chaotic_apart_from_pass_and_fail():
    """A CHAOTIC model (validation.models_run) is one NEURON ran, counted apart: neither a PASS nor a FAIL."""
    recs = [{"id": "1", "status": "PASS", "max_dv": 1e-14},
            {"id": "2", "status": "CHAOTIC", "max_dv": 98.6, "horizon": 1389.3, "horizon_fraction": 0.021,
             "message": "matches NEURON (max |dV| 0.000705 mV) to t_h = 1389.3 ms (2.1%) of 66000 ms; beyond, ..."},
            {"id": "3", "status": "FAIL", "max_dv": 0.5, "reasons": ["max |dV| 0.5 mV"]}]
    s = summary(recs)
    assert s["status"]["CHAOTIC"] == 1 and s["neuron_ran"] == 3 and s["status"]["PASS"] == 1
    text = render(recs)
    assert "| CHAOTIC | 1 |" in text and "CHAOTIC: 1 (matched NEURON up to" in text
    assert "| 2 |  | CHAOTIC | 98.6 |" in text and "to t_h = 1389.3 ms (2.1%) of 66000 ms" in text
    assert text.index("| PASS |") < text.index("| CHAOTIC |") < text.index("| FAIL |")
