"""validation.defaults: the soma-like root, the distal dendrite, default steps and tstop (no NEURON)."""

from __future__ import annotations

import pytest

from validation.defaults import DEFAULT_TSTOP, distal, path_distances, soma_like, steps, tstop_for

CELL = [("soma", None, 0.0, 20.0), ("dend[0]", "soma", 1.0, 200.0), ("dend[1]", "dend[0]", 1.0, 150.0),
        ("axon", "soma", 0.0, 500.0)]


def test_path_distances_from_the_soma_middle_to_each_far_end():
    assert path_distances(CELL, "soma") == {"soma": 10.0, "dend[0]": 210.0, "dend[1]": 360.0, "axon": 510.0}


def test_path_distances_from_a_dendrite_go_up_and_down_the_tree():
    got = path_distances(CELL, "dend[1]")
    assert got["dend[1]"] == 75.0 and got["dend[0]"] == 75.0
    assert got["soma"] == 75.0 + 200.0 and got["axon"] == 75.0 + 200.0 + 20.0 + 500.0


def test_a_branch_attached_mid_section():
    cell = [("soma", None, 0.0, 20.0), ("d", "soma", 0.25, 100.0)]
    assert path_distances(cell, "soma")["d"] == pytest.approx(5.0 + 100.0)


def test_sections_of_other_cells_are_left_out():
    cells = CELL + [("Cell[1].soma", None, 0.0, 10.0)]
    assert "Cell[1].soma" not in path_distances(cells, "soma")


def test_distal_is_the_farthest_far_end():
    assert distal(CELL, "soma") == "axon"
    assert distal([("soma", None, 0.0, 20.0)], "soma") == "soma"


def test_soma_like_prefers_a_root_named_soma_and_strips_template_prefixes():
    assert soma_like(CELL) == "soma"
    assert soma_like([("Pyr[0].dend", None, 0, 1), ("Pyr[0].soma[0]", "Pyr[0].dend", 1, 1),
                      ("Pyr[1].soma", None, 0, 1)]) == "Pyr[1].soma"
    assert soma_like([("a", "b", 1, 1), ("b", None, 0, 1)]) == "b"
    with pytest.raises(ValueError):
        soma_like([])


def test_default_steps_span_the_run():
    got = steps("soma", 100.0)
    assert [(s["delay"], s["dur"], s["amp"]) for s in got] == [(10.0, 20.0, 0.1), (40.0, 20.0, 0.2), (70.0, 20.0, 0.4)]
    assert all(s["section"] == "soma" and s["x"] == 0.5 for s in got)


def test_tstop_rules():
    assert tstop_for(30.0, 5.0, True) == 30.0  # the protocol wins
    assert tstop_for(None, 5.0, True) == DEFAULT_TSTOP  # NEURON's default 5 ms is too short for the steps
    assert tstop_for(None, 5.0, False) == 5.0  # the model's own stimuli: its own tstop, even 5 ms
    assert tstop_for(None, 250.0, True) == 250.0
