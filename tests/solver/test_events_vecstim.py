"""VecStim: bridge's own vecstim.mod (times as a per-cell array parameter) against a VecStim that reads a
Vector in C as vecevent.mod does (vecstim_neuron/vecstim_c.mod, compiled for NEURON 9.0.2 only). Same
description both sides (event_cases.py): max |dV| <= 1e-9 mV, identical spike times."""

import hashlib
from pathlib import Path

import numpy as np
import pytest

from bridge.model import Model
from bridge.morphology.tree import SectionTree
from bridge.solver.network import ArtificialCell, NetCon, Network
from bridge.solver.vecstim import sized_vecstims, vecstim_cell
from tests.solver.event_cases import compare
from tests.solver.shipped_vecevent import SHIPPED, shipped_vecevent

HERE = Path(__file__).parent


def _nrnivmodl():
    from validation.neuron_run import compile_mod_files  # noqa: PLC0415

    return str(compile_mod_files(sorted((HERE / "vecstim_neuron").glob("*.mod"))))


@pytest.mark.neuron
def test_vecstims_drive_synapses_and_an_intfire1():
    # VecStim 0 (a time at 0: delivered inside finitialize; two equal times; a time on a step boundary) drives
    # an ExpSyn on an hh cell; VecStim 1 drives the same synapse and an IntFire1; VecStim 2 plays nothing
    case = {"sections": [{"name": "soma", "L": 20, "diam": 20, "insert": {"hh": {}}}],
            "points": [["ExpSyn", "soma", 0.5, {"tau": 2.0}]],
            "cells": [["VecStim", {"times": [0.0, 2.5, 2.5, 7.25, 13.0123]}],
                      ["VecStim", {"times": [1.1, 1.3, 1.5, 1.7, 9.0, 9.0125, 15.5]}],
                      ["VecStim", {"times": []}], ["IntFire1", {"tau": 3.0}]],
            "netcons": [{"source": ["cell", 0], "target": ["point", 0], "weight": [0.004], "delay": 1.0,
                         "record": True},
                        {"source": ["cell", 1], "target": ["point", 0], "weight": [0.003], "delay": 0.5,
                         "record": True},
                        {"source": ["cell", 1], "target": ["cell", 3], "weight": [0.4], "delay": 0.25},
                        {"source": ["cell", 2], "target": ["point", 0], "weight": [0.5], "delay": 0.0, "record": True},
                        {"source": ["cell", 3], "target": None, "record": True},
                        {"source": ["v", "soma", 0.5], "target": None, "threshold": -20.0, "record": True}],
            "probes": [["soma", 0.5, "v"]], "tstop": 20.0, "dt": 0.025, "dll": _nrnivmodl()}
    dv, ours, theirs, _, _ = compare(case)
    assert np.all(dv <= 1e-9), dv
    assert [len(s) for s in ours] == [len(s) for s in theirs], (ours, theirs)
    for a, b in zip(ours, theirs):
        assert np.all(np.abs(a - b) <= 1e-9), (a, b)
    assert [len(s) for s in ours[:3]] == [5, 7, 0] and len(ours[3]) >= 1, ours



@pytest.mark.neuron
@pytest.mark.parametrize("cell", ["pas", "hh"])
def test_vecstims_drive_exp2syns(cell):
    # Exp2Syns on a passive and an hh cell (issue 13's first bar names both synapses and both cells), driven by
    # two VecStims, one with a time at 0 and equal times; the cell's own spikes recorded
    weight = 0.02 if cell == "hh" else 0.005
    case = {"sections": [{"name": "soma", "L": 20, "diam": 20, "insert": {cell: {}}}],
            "points": [["Exp2Syn", "soma", 0.5, {"tau1": 0.5, "tau2": 3.0}],
                       ["Exp2Syn", "soma", 0.5, {"tau1": 1.0, "tau2": 6.0, "e": -80.0}]],
            "cells": [["VecStim", {"times": [0.0, 2.5, 2.5, 7.25, 13.0123, 21.0]}],
                      ["VecStim", {"times": [1.1, 9.0, 9.0125, 15.5]}]],
            "netcons": [{"source": ["cell", 0], "target": ["point", 0], "weight": [weight], "delay": 1.0,
                         "record": True},
                        {"source": ["cell", 1], "target": ["point", 1], "weight": [weight], "delay": 0.5,
                         "record": True},
                        {"source": ["v", "soma", 0.5], "target": None, "threshold": -20.0, "record": True}],
            "probes": [["soma", 0.5, "v"]], "tstop": 30.0, "dt": 0.025, "dll": _nrnivmodl()}
    dv, ours, theirs, _, _ = compare(case)
    assert np.all(dv <= 1e-9), dv
    assert [len(s) for s in ours] == [len(s) for s in theirs], (ours, theirs)
    for a, b in zip(ours, theirs):
        assert np.all(np.abs(a - b) <= 1e-9), (a, b)
    assert [len(s) for s in ours[:2]] == [6, 4] and (len(ours[2]) > 0) == (cell == "hh"), ours


def test_vecstim_times_are_sized_to_the_longest_list():
    net = Network(cells=(vecstim_cell([1.0, 2.0, 3.0]), ArtificialCell("VecStim", {"times": (4.0,)}),
                         vecstim_cell([])),
                  netcons=(NetCon(("cell", 0), None),))
    sized, size = sized_vecstims(net)
    assert size == 4 and [c.params["ntimes"] for c in sized.cells] == [3.0, 1.0, 0.0]
    tree = SectionTree()
    tree.section("soma", L=10, diam=10)
    model = Model(tree, network=net)
    assert model.mechanisms["VecStim"].array_sizes == {"times": 4}


@pytest.mark.parametrize("package", sorted(SHIPPED))
def test_neurons_vecevent_mod_is_replaced_by_bridges_vecstim(package, tmp_path):
    # NEURON 9.0.2's wheel does not ship vecevent.mod; the copies hnn-core and bmtk ship are two of NEURON's
    # versions (tests/solver/shipped_vecevent.py): recognised by their text, bridge's VecStim runs instead
    from bridge.nmodl.load import load_mechanisms  # noqa: PLC0415
    from bridge.nmodl.vecevent import KNOWN, is_vecevent, normalised  # noqa: PLC0415
    from bridge.nmodl.vecstim import is_bridge_vecstim  # noqa: PLC0415

    text = shipped_vecevent(package).read_text()
    assert hashlib.sha256(normalised(text).encode()).hexdigest() == SHIPPED[package] and SHIPPED[package] in KNOWN
    assert is_vecevent(text)
    copy = tmp_path / "vecevent.mod"
    copy.write_text("\n: a model's copy, its header edited\n" + text.replace("\n", "\r\n"))
    with pytest.warns(UserWarning, match="vecevent.mod .VecStim. recognised"):
        mechs = load_mechanisms(tmp_path)
    assert is_bridge_vecstim(mechs["VecStim"])


def test_recognition_is_by_normalised_text_only(tmp_path, monkeypatch):
    import bridge.nmodl.load as load  # noqa: PLC0415
    from bridge.errors import UnsupportedFeature  # noqa: PLC0415
    from bridge.nmodl import vecevent  # noqa: PLC0415
    from bridge.nmodl.vecstim import is_bridge_vecstim  # noqa: PLC0415

    own = (HERE / "vecstim_neuron" / "vecstim_c.mod").read_text()  # a VecStim in C that NEURON never shipped
    assert not vecevent.is_vecevent(own)
    with pytest.raises(UnsupportedFeature, match="VERBATIM"):
        load.load_text(own, "vecstim_c.mod")
    # comments outside VERBATIM and white space do not matter; anything else does
    monkeypatch.setattr(vecevent, "KNOWN", frozenset({hashlib.sha256(vecevent.normalised(own).encode()).hexdigest()}))
    edited = own.replace("NEURON {", ": a comment\nNEURON  {\n").replace("COMMENT\n", "COMMENT\nnotes\n", 1)
    assert vecevent.is_vecevent(edited)
    with pytest.warns(UserWarning, match="recognised"):
        assert is_bridge_vecstim(load.load_text(edited, "edited.mod"))
    assert not vecevent.is_vecevent(own.replace("index += 1.", "index += 2."))
    assert not vecevent.is_vecevent(own.replace("ptr\n}", "ptr\n  x\n}"))


def test_hoc_catalog_keeps_bridges_vecstim_for_a_recognised_file(tmp_path, monkeypatch):
    from bridge.hoc.catalog import Catalog  # noqa: PLC0415
    from bridge.nmodl import vecevent  # noqa: PLC0415

    own = (HERE / "vecstim_neuron" / "vecstim_c.mod").read_text()
    (tmp_path / "vecevent.mod").write_text(own)
    assert Catalog([tmp_path])._files["VecStim"].name == "vecevent.mod"  # not recognised: the model's file
    monkeypatch.setattr(vecevent, "KNOWN", frozenset({hashlib.sha256(vecevent.normalised(own).encode()).hexdigest()}))
    with pytest.warns(UserWarning, match="recognised"):
        catalog = Catalog([tmp_path])
    assert catalog._files["VecStim"].name == "vecstim.mod"
    assert catalog.get("VecStim").kind == "artificial"
