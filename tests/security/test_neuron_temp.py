"""NEURON's temporary files (`File.mktemp`, as NEURON's NetGUI makes them: netgui.hoc, pwman.cpp
`ivoc_get_temp_file`) land in `OUT/neuron-temp/` (validation.neuron_temp); every other write is still stopped."""

from __future__ import annotations

from pathlib import Path

import pytest

from validation import write_guard
from validation.case import Case, Protocol
from validation.neuron_case import run_neuron_case
from validation.neuron_temp import NEURON_TEMP

pytestmark = [pytest.mark.skipif(not write_guard.GUARDED, reason="the write guard needs Linux's LD_PRELOAD"),
              pytest.mark.neuron]

QUICK = Protocol(tstop=1.0, record_all=False, record_states=False)
STOPPED = "was stopped: bridge lets NEURON write only inside the output folder (validation.write_guard)"
# a temporary file written and kept (NetGUI unlinks its own; kept here so that the test sees where it went)
MKTEMP = """load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref fh
fh = new File()
fh.mktemp()
fh.wopen()
fh.printf("x = 3\\n")
fh.close()
"""


def _model(tmp_path: Path, text: str) -> Path:
    model = tmp_path / "model"
    model.mkdir()
    (model / "m.hoc").write_text(text)
    return model / "m.hoc"


def test_a_neuron_temp_file_lands_in_the_output_folder(tmp_path):
    out = tmp_path / "out"
    (out / NEURON_TEMP).mkdir(parents=True)
    (out / NEURON_TEMP / "stale").write_text("from an earlier run")
    # as NetGUI: the file written is then read back with xopen
    hoc = _model(tmp_path, MKTEMP + "strdef tstr\nfh.getname(tstr)\nxopen(tstr)\nif (x != 3) { execerror(\"x\") }\n")
    run_neuron_case(Case("temp", hoc=hoc, protocol=QUICK, output_dir=out))
    (made,) = (out / NEURON_TEMP).iterdir()  # emptied first
    assert made.name.startswith("nrn") and made.read_text() == "x = 3\n"


def test_an_empty_temp_folder_is_removed(tmp_path):
    out = tmp_path / "out"
    run_neuron_case(Case("temp", hoc=_model(tmp_path, MKTEMP + "fh.unlink()\n"), protocol=QUICK, output_dir=out))
    assert not (out / NEURON_TEMP).exists()


def test_without_an_output_folder_a_temp_file_stops_neuron(tmp_path):
    from bridge.errors import BridgeError

    with pytest.raises(BridgeError, match="mkstemp") as err:
        run_neuron_case(Case("temp", hoc=_model(tmp_path, MKTEMP), protocol=QUICK))
    assert STOPPED in str(err.value)


def test_a_write_beside_the_temp_folder_is_still_stopped(tmp_path):
    """The temporary folder is allowed, its parent (the output folder) and anywhere else are not."""
    from bridge.errors import BridgeError

    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    for k, target in enumerate((out / "SENTINEL", outside / "SENTINEL", out / NEURON_TEMP / ".." / "SENTINEL")):
        (tmp_path / str(k)).mkdir()
        hoc = _model(tmp_path / str(k), MKTEMP + f'fh.wopen("{target}")\nfh.printf("x")\n')
        with pytest.raises(BridgeError) as err:
            run_neuron_case(Case("temp", hoc=hoc, protocol=QUICK, output_dir=out))
        assert STOPPED in str(err.value) and f'fopen("{target}", "w")' in str(err.value)
    assert not (out / "SENTINEL").exists() and list(outside.iterdir()) == []
