"""bridge.testing.assert_matches_neuron, the pytest helper for users' own CI (real NEURON)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bridge.morphology.tree import SectionTree
from bridge.testing import assert_matches_neuron

pytestmark = pytest.mark.neuron

DATA = Path(__file__).parent / "data"
BALL_STICK = DATA / "ball_stick" / "ball_stick.hoc"
EXAMPLE_MOD = Path(__file__).resolve().parents[2] / "examples" / "cell" / "mod"


def test_a_matching_hoc_model_passes_and_returns_the_result():
    result = assert_matches_neuron(BALL_STICK, {"tstop": 15.0, "recordings": ["dend[0](0.5).v"]})
    assert result.passed and result.comparison.max_dv <= 1e-9


def test_a_matching_tree_passes(tmp_path):
    tree = SectionTree()
    tree.section("soma", L=20, diam=20).insert("hh")
    tree.section("axon", L=400, diam=1, nseg=9).insert("hh", gnabar=0.2)
    tree.connect("axon", "soma", 0.0)
    assert_matches_neuron(tree, {"tstop": 8.0, "stimuli": [{"section": "soma", "delay": 1, "dur": 2, "amp": 0.5}]},
                          out=tmp_path)
    assert (tmp_path / "report.md").exists()


def test_a_mismatch_fails_with_the_table_in_the_message(tmp_path):
    port = tmp_path / "port"
    shutil.copytree(EXAMPLE_MOD, port)
    kdr = (port / "kdr.mod").read_text()
    assert "gkbar = 0.036 (S/cm2)" in kdr
    (port / "kdr.mod").write_text(kdr.replace("gkbar = 0.036 (S/cm2)", "gkbar = 0.037 (S/cm2)"))
    tree = SectionTree()
    soma = tree.section("soma", L=20, diam=20)
    soma.insert("na")
    soma.insert("kdr")  # gkbar left at the file's default: the port's value differs
    soma.insert("pas", g=1e-4, e=-65.0)
    protocol = {"tstop": 20.0, "stimuli": [{"section": "soma", "delay": 2, "dur": 15, "amp": 0.2}]}
    assert_matches_neuron(tree, protocol, mechanisms=EXAMPLE_MOD)  # the originals match
    with pytest.raises(AssertionError) as exc:
        assert_matches_neuron(tree, protocol, mechanisms=EXAMPLE_MOD, bridge_mechanisms=port)
    message = str(exc.value)
    assert "bridge does not match NEURON (fail)" in message
    assert "case" in message and "max |dV| [mV]" in message  # the report's table header
    assert "FAIL" in message and "reasons:" in message and "max |dV|" in message


def test_a_model_neuron_cannot_run_fails_with_neurons_message():
    with pytest.raises(AssertionError, match="make_cel"):
        assert_matches_neuron(BALL_STICK, statements=["make_cel(0)"])


def test_a_model_that_loads_a_shared_file_passes_with_allow_read(tmp_path):
    model, common = tmp_path / "model", tmp_path / "common"
    model.mkdir()
    common.mkdir()
    (common / "cell.hoc").write_text("create soma\nsoma { L = 20 diam = 20 insert hh }\n")
    (model / "init.hoc").write_text('load_file("../common/cell.hoc")\ntstop = 5\n')
    with pytest.raises(AssertionError, match="allow_read"):
        assert_matches_neuron(model / "init.hoc")
    result = assert_matches_neuron(model / "init.hoc", allow_read=[common])
    assert result.passed and result.neuron is not None
