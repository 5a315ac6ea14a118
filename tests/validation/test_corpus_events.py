"""validation.corpus_events: which files it takes, the report table (pure), and one real file against NEURON."""

from __future__ import annotations

from pathlib import Path

import pytest

from validation import corpus_events as ce
from validation.corpus_events import EventRecord


def test_takes_point_processes_with_net_receive_only(tmp_path: Path):
    files = {
        "syn.mod": "NEURON { POINT_PROCESS S }\nNET_RECEIVE (w) { }\n",
        "clamp.mod": "NEURON { POINT_PROCESS C }\n",
        "cell.mod": "NEURON { ARTIFICIAL_CELL A }\nNET_RECEIVE (w) { }\n",
        "dens.mod": "NEURON { SUFFIX d }\n",
        "broken.mod": "NEURON { POINT_PROCESS",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert [n for n in sorted(files) if ce.is_driven_point_process(tmp_path / n)] == ["syn.mod"]


def test_report_counts_per_package():
    records = [EventRecord("a", "x.mod", "X", True, True, "pass", max_dv=1e-12),
               EventRecord("a", "y.mod", "Y", True, True, "fail", max_dv=0.5),
               EventRecord("a", "z.mod", "", False, False, "unsupported", "z.mod:1:1: unsupported: VERBATIM"),
               EventRecord("b", "w.mod", "W", True, False, "error", "bridge crashed")]
    text = ce.markdown_report(records, 1.0)
    assert "| a | 3 | 2 | 2 | 1 |" in text
    assert "| b | 1 | 1 | 0 | 0 |" in text
    assert "| total | 4 | 3 | 2 | 1 |" in text
    assert "| a | y.mod | Y | fail | 5.00e-01 |" in text


@pytest.mark.neuron
def test_neuron_expsyn_matches():
    from validation.corpus_validate import wheel_files

    path = next(p for _, p, rel in wheel_files() if rel.endswith("modfile/expsyn.mod"))
    rec = ce.inspect_file("neuron (wheel)", path, "expsyn.mod")
    assert rec.status == "pass" and rec.ran and rec.max_dv <= 1e-9, rec
