"""bridge.cli: `bridge run` and `bridge validate` show where and when HOC's live run became NaN
(bridge.hoc.live_nan; the model and NEURON's behaviour for it: tests/hoc/test_live_nan.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.cli import main
from tests.hoc.test_live_nan import NANST

MESSAGE = ("s_nanst became NaN at dend(0.7), t = 2.025 ms (step 81 from t = 0 ms, HOC's live run); "
           "check parameters and dt")

MODEL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh }
dend { L = 200  diam = 2  nseg = 5  insert pas  insert nanst }
dend.tnan_nanst(0.7) = 2.01
objref vd
vd = new Vector()
vd.record(&dend.v(0.7))
tstop = 1
run()
tstop = 3
run()
"""


def _model(tmp_path: Path) -> Path:
    model = tmp_path / "model"
    model.mkdir()
    (model / "init.hoc").write_text(MODEL)
    (model / "nanst.mod").write_text(NANST)
    return model


def test_run_prints_the_nan_and_exits_1(tmp_path, capsys):
    assert main(["run", str(_model(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert MESSAGE in err, err


@pytest.mark.neuron
def test_validate_reports_the_nan_in_its_table(tmp_path, capsys):
    """The model runs twice, so validation compares the live run's runs (`LiveRun.keep_runs`)."""
    out = tmp_path / "out"
    assert main(["validate", str(_model(tmp_path)), "--out", str(out), "--no-plots"]) == 1
    text = capsys.readouterr().out
    row = next(line for line in text.splitlines() if line.startswith("model "))
    assert "ERROR" in row and MESSAGE in row, text
    assert MESSAGE in (out / "report.md").read_text()
