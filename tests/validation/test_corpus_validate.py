"""validation.corpus_validate: the coverage tables (pure) and a small real corpus run against NEURON."""

from __future__ import annotations

import json
import shutil

import pytest

from validation import corpus_validate as cv
from validation.corpus_validate import FileRecord


def _records() -> list[FileRecord]:
    return [
        FileRecord("a", "hh.mod", "density", True, True, "pass", methods=["cnexp"], max_dv=1e-11, neuron_compiles=True),
        FileRecord("a", "bad.mod", "density", True, True, "fail", max_dv=0.3, neuron_compiles=True),
        FileRecord("a", "v.mod", "density", True, False, "unsupported",
                   "/x/y/v.mod:3:1: unsupported: VERBATIM block with C code", excluded=["VERBATIM"],
                   neuron_compiles=None),
        FileRecord("a", "syn.mod", "point process", True, True, "not validated", "Syn is a point process"),
        FileRecord("b", "ptr.mod", "density", True, False, "unsupported",
                   "p.mod:2:1: unsupported: POINTER variables (x)", neuron_compiles=True),
        FileRecord("b", "old.mod", "density", True, False, "NEURON refuses", "nrnivmodl refuses",
                   neuron_compiles=False),
        FileRecord("b", "x.mod", "", False, False, "parse error", "x.mod:1:2: syntax error"),
        FileRecord("b", "r.mod", "artificial cell", True, False, "unsupported",
                   "r.mod:9:9: unsupported: random-number function normrand()", excluded=["random functions"]),
    ]


def test_reason_groups():
    assert cv.reason_group("v.mod:3:1: unsupported: VERBATIM block with C code (bridge cannot run C)") == "VERBATIM"
    assert cv.reason_group("unsupported: random-number function erand()") == "random functions"
    assert cv.reason_group("unsupported: RANDOM variables (ran)") == "random functions"
    assert cv.reason_group("unsupported: FUNCTION_TABLE tau (values come from HOC at run time)") == "FUNCTION_TABLE"
    assert cv.reason_group("unsupported: POINTER variables (vgat)") == "POINTER"
    assert cv.reason_group("unsupported: net_send() (self-events ...)") == "NET_RECEIVE / events"
    assert cv.reason_group("unsupported: something new") == "other"


def test_counts_and_goal():
    recs = _records()
    c = cv.package_counts(recs)
    assert (c["files"], c["density"], c["parsed"], c["translated"]) == (8, 5, 7, 3)
    assert (c["pass"], c["fail"], c["unsupported"], c["not validated"], c["NEURON refuses"], c["parse error"]) \
        == (1, 1, 3, 1, 1, 1)
    # goal: density, NEURON compiles, no VERBATIM/random/FUNCTION_TABLE -> hh, bad, ptr; one of them passes
    assert [r.path for r in recs if r.goal] == ["hh.mod", "bad.mod", "ptr.mod"]
    assert (c["goal"], c["goal pass"]) == (3, 1)
    assert cv.package_counts([r for r in recs if r.package == "b"])["goal"] == 1


def test_tables():
    recs = _records()
    table = cv.coverage_table(recs, {"c": "pip download c failed"}).splitlines()
    assert table[0].startswith("| package ") and "goal" in table[0]
    a, b, c, total = table[2:]
    assert a.split("|")[1:4] == [" a       ", " 4     ", " 3       "]
    assert "1/2 (50%)" in a and "0/1 (0%)" in b and "download failed: pip download c failed" in c
    assert total.startswith("| total ") and "1/3 (33%)" in total
    by_reason = cv.unsupported_table(recs).splitlines()
    rows = {line.split("|")[1].strip(): [v.strip() for v in line.split("|")[2:-1]] for line in by_reason[2:]}
    assert rows == {"POINTER": ["0", "1", "1"], "VERBATIM": ["1", "0", "1"], "random functions": ["0", "1", "1"]}
    files = cv.file_table(recs)
    assert "| a: v.mod " in files and "[VERBATIM] v.mod:3:1: unsupported" in files and "/x/y/" not in files
    report = cv.markdown_report(recs)
    assert "1/3 (33%) validate" in report
    assert "- a: bad.mod: fail" in report and "- b: ptr.mod: unsupported" in report  # goal files that do not pass


def test_records_round_trip_through_json():
    rec = _records()[0]
    assert FileRecord.from_json(json.loads(json.dumps(cv.asdict(rec)))) == rec


@pytest.mark.neuron
def test_small_corpus_run(tmp_path, monkeypatch):
    """Two of the wheel's files as a package: passive.mod validates against NEURON, pattern.mod is unsupported."""
    wheel = {rel.split("/")[-1]: path for _, path, rel in cv.wheel_files()}
    if "passive.mod" not in wheel:
        pytest.skip("neuron wheel without share/modfile")
    src = tmp_path / "corpus" / "pkg" / "src" / "pkg-1.0"
    src.mkdir(parents=True)
    (tmp_path / "corpus" / "pkg" / ".unpacked").write_text("ok")
    for name in ("passive.mod", "pattern.mod"):
        shutil.copy(wheel[name], src / name)
    monkeypatch.setenv("BRIDGE_CACHE", str(tmp_path))  # passive.mod is NEURON's own pas: nothing to compile
    out = tmp_path / "report"
    rc = cv.main(["--no-wheel", "--packages", "pkg", "--workers", "2", "--out", str(out)])
    recs = {r["path"].split("/")[-1]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    passive, pattern = recs["passive.mod"], recs["pattern.mod"]
    assert passive["status"] == "pass" and passive["kind"] == "density" and passive["max_dv"] <= 1e-9
    assert pattern["status"] == "unsupported" and pattern["kind"] == "artificial cell"
    assert pattern["excluded"] == ["VERBATIM"] and "VERBATIM" in pattern["reason"]
    assert rc == 0  # the one goal file passes
    report = (out / "coverage.md").read_text()
    assert "1/1 (100%) validate" in report and "| VERBATIM " in report
    # --rerun runs only the files with the given statuses again and keeps the other records
    lines = (out / "results.jsonl").read_text().splitlines()
    marked = [json.dumps({**r, "status": "error", "reason": "x"}) if r["path"].endswith("passive.mod")
              else json.dumps({**r, "reason": "kept"}) for r in map(json.loads, lines)]
    (out / "results.jsonl").write_text("\n".join(marked) + "\n")
    cv.main(["--no-wheel", "--packages", "pkg", "--out", str(out), "--rerun", "error"])
    recs = {r["path"].split("/")[-1]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    assert recs["passive.mod"]["status"] == "pass" and recs["pattern.mod"]["reason"] == "kept"


@pytest.mark.neuron
def test_a_file_nocmodl_refuses_too_is_not_a_parse_gap(tmp_path):
    bad = tmp_path / "bad.mod"
    bad.write_text("NEURON { SUFFIX bad }\nBREAKPOINT { x = }\n")
    rec = cv.inspect_file("pkg", bad, "bad.mod")
    assert not rec.parsed and rec.status == "NEURON refuses" and rec.neuron_compiles is False
    assert rec.reason.startswith("nocmodl refuses it too; ") and "bad.mod:2:18: syntax error" in rec.reason
