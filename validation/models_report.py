"""The ModelDB sweep's report: counts by status and by refusal reason, and one row per model (markdown)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

STATUS_ORDER = ("PASS", "CHAOTIC", "FAIL", "REFUSED", "BRIDGE-CRASH", "BRIDGE-ERROR", "NEURON-COMPILE", "NEURON-ERROR",
                "NOT-HEADLESS", "TIMEOUT", "NO-ENTRY")
NEURON_RAN = ("PASS", "CHAOTIC", "FAIL", "BRIDGE-ERROR")  # NEURON ran the model headless with the fixed step


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def detail(rec: dict[str, Any]) -> str:
    """The table's last column: the comparison's first reason, or the error's first line."""
    if rec["status"] == "CHAOTIC":  # validation.models_run: the verdict in words
        return str(rec.get("message", ""))[:300]
    if rec["status"] in ("PASS", "FAIL"):
        return "; ".join(rec.get("reasons", []))[:200]
    parts = [rec.get("error_class", ""), rec.get("message", ""), rec.get("detail", "")]
    return ": ".join(p for p in parts if p)[:240]


def summary(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts by status, the PASS shares and the refusal reasons ranked by the number of models they block."""
    status = Counter(r["status"] for r in records)
    ran = sum(status[s] for s in NEURON_RAN)
    reasons: dict[str, list[str]] = {}
    for r in records:
        if r["status"] in ("REFUSED", "BRIDGE-CRASH", "BRIDGE-ERROR") and r.get("reason"):
            reasons.setdefault(r["reason"], []).append(r["id"])
    ranked = sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return {"total": len(records), "status": status, "neuron_ran": ran,
            "pass_of_all": status["PASS"] / len(records) if records else 0.0,
            "pass_of_ran": status["PASS"] / ran if ran else 0.0, "reasons": ranked}


def render(records: Sequence[dict[str, Any]], timeout: float | None = None) -> str:
    s = summary(records)
    lines = ["# ModelDB sweep", "", f"{s['total']} models"
             + (f", {timeout:g} s per model (both sides)" if timeout else "") + ".", "",
             "| status | models |", "| --- | ---: |"]
    lines += [f"| {st} | {s['status'][st]} |" for st in STATUS_ORDER if s["status"][st]]
    lines += ["", f"PASS: {s['status']['PASS']}/{s['total']} of all models ({100 * s['pass_of_all']:.0f}%), "
              f"{s['status']['PASS']}/{s['neuron_ran']} of the models both sides ran or NEURON ran and bridge "
              f"failed ({100 * s['pass_of_ran']:.0f}%)"
              + (f"; CHAOTIC: {s['status']['CHAOTIC']} (matched NEURON up to the time NEURON cannot reproduce "
                 "its own run under one ulp, counted apart)" if s["status"]["CHAOTIC"] else "") + ".", "",
              "## Refusal and failure reasons (bridge side)", "",
              "| models | reason | ids |", "| ---: | --- | --- |"]
    lines += [f"| {len(ids)} | {_cell(reason)} | {', '.join(ids)} |" for reason, ids in s["reasons"]]
    lines += ["", "## Per model", "", "| id | entry | status | max \\|dV\\| [mV] | s | detail |",
              "| --- | --- | --- | ---: | ---: | --- |"]
    for r in records:
        dv = f"{r['max_dv']:.3g}" if "max_dv" in r else ""
        lines.append(f"| {r['id']} | {_cell(r.get('entry', ''))} | {r['status']} | {dv} | {r.get('seconds', '')} "
                     f"| {_cell(detail(r))} |")
    return "\n".join(lines) + "\n"


def write_report(records: Sequence[dict[str, Any]], path: str | Path, timeout: float | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(records, timeout))
    return path
