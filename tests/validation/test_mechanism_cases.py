"""validation.mechanism_cases: a folder of .mod files as one-compartment cases (NEURON for the runs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bridge.cli import main
from validation.case import IClamp, Protocol, Tolerance
from validation.mechanism_cases import mechanism_cases

EXAMPLE_MOD = Path(__file__).resolve().parents[2] / "examples" / "cell" / "mod"


def test_two_cases_per_file_with_the_single_mechanism_cell():
    files = [EXAMPLE_MOD / "ih.mod", EXAMPLE_MOD / "kdr.mod"]
    cases = mechanism_cases(files)
    assert [c.name for c in cases] == ["ih.mod:depolarising", "ih.mod:hyperpolarising", "kdr.mod:depolarising",
                                       "kdr.mod:hyperpolarising"]
    dep, hyp = cases[0], cases[1]
    soma = dep.tree["soma"]
    assert soma.L == 18.8 and soma.diam.tolist() == [18.8]
    assert set(soma.mechanisms) == {"pas", "ih"}
    assert (dep.protocol.celsius, dep.protocol.stimuli[0].amp) == (6.3, 0.1)
    assert (hyp.protocol.celsius, hyp.protocol.stimuli[0].amp) == (16.0, -0.1)
    assert dep.protocol.tstop == 30.0 and dep.protocol.dt == 0.025
    assert dep.tolerance == Tolerance()  # cnexp: 1e-9


def test_point_processes_are_placed_and_options_override(tmp_path):
    (tmp_path / "clamp.mod").write_text(
        "NEURON {\n  POINT_PROCESS MyClamp\n  RANGE amp\n  NONSPECIFIC_CURRENT i\n}\n"
        "PARAMETER { amp = 0 (nA) }\nASSIGNED { i (nA) }\nBREAKPOINT { i = -amp }\n")
    cases = mechanism_cases([tmp_path / "clamp.mod"], Protocol(tstop=5.0, celsius=20.0,
                                                               stimuli=[IClamp("soma", 0.5, 1, 1, 1)]))
    assert [pp.name for pp in cases[0].tree.point_processes] == ["MyClamp"]
    assert all(c.protocol.celsius == 20.0 and c.protocol.tstop == 5.0 for c in cases)
    assert all(c.protocol.stimuli == [IClamp("soma", 0.5, 1, 1, 1)] for c in cases)


def test_iterative_methods_get_the_looser_tolerance(tmp_path):
    (tmp_path / "di.mod").write_text(
        "NEURON { SUFFIX di }\nSTATE { x }\nBREAKPOINT { SOLVE s METHOD derivimplicit }\n"
        "DERIVATIVE s { x' = -x * x }\n")
    # NEURON's derivimplicit iterates to a tolerance: 1e-6 (as validation.single_mechanism)
    assert mechanism_cases([tmp_path / "di.mod"])[0].tolerance.max_dv == 1e-6


@pytest.mark.neuron
def test_bridge_validate_on_a_mechanism_folder(tmp_path, capsys):
    folder = tmp_path / "mod"
    folder.mkdir()
    shutil.copy(EXAMPLE_MOD / "ih.mod", folder)
    assert main(["validate", str(folder), "--tstop", "10", "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "ih.mod:depolarising     PASS" in text and "ih.mod:hyperpolarising  PASS" in text
    port = tmp_path / "port"
    port.mkdir()
    ih = (folder / "ih.mod").read_text()
    (port / "ih.mod").write_text(ih.replace("eh = -30 (mV)", "eh = -30.001 (mV)"))
    assert main(["validate", str(folder), "--tstop", "10", "--workers", "1", "--bridge-mechanisms", str(port)]) == 1
    text = capsys.readouterr().out
    assert "ih.mod:depolarising     FAIL" in text and text.splitlines()[-1] == "0/2 cases passed"
