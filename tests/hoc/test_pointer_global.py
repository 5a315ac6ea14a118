"""A POINTER to a mechanism's GLOBAL ASSIGNED (ModelDB 190559: `setpointer fz.x, E_xtrau`; bridge.hoc.setpointer,
bridge.solver.pointer_writes): NEURON's one double, written by the POINTER's point process in INITIAL and BEFORE
BREAKPOINT and read by every instance of its owner, against real NEURON 9.0.2 on a model of ours (gen.mod also
toggles its drive in NET_RECEIVE VERBATIM C, as fzap.mod does); and what bridge refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import bridge
from bridge.errors import HocRefusal, UnsupportedFeature
from bridge.testing import assert_matches_neuron

DATA = Path(__file__).resolve().parent / "data" / "pointer_global"
PROBES = ["soma(0.5).v", "dend(0.5).v", "dend(0.9).v", "soma(0.5).last_rdr", "dend(0.2).last_rdr"]


@pytest.mark.neuron
def test_a_pointer_to_a_global_matches_neuron():
    result = assert_matches_neuron(DATA / "model.hoc", {"default_steps": False, "recordings": PROBES},
                                   mechanisms=DATA, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9  # measured: 1.5e-11 mV
    # the GLOBAL moves (0.7 decay before del, the drive between the two self-events) and every instance reads it
    model = bridge.load_hoc(DATA / "model.hoc", mechanisms=DATA).to_model()
    sim = bridge.Simulation(model, record=["soma(0.5).last_rdr", "dend(0.2).last_rdr"])
    traces = sim.run(sim.params())
    soma, dend = np.asarray(traces["soma(0.5).last_rdr"]), np.asarray(traces["dend(0.2).last_rdr"])
    assert soma[0] == 0.7 * 15 and np.ptp(soma) > 20 and np.array_equal(soma, dend)


def _copy(tmp_path: Path, **changes: str) -> Path:
    for name in ("gen.mod", "rdr.mod", "model.hoc"):
        shutil.copy(DATA / name, tmp_path / name)
    for name, (old, new) in ((k.replace("_", "."), v) for k, v in changes.items()):
        text = (tmp_path / name).read_text()
        assert old in text
        (tmp_path / name).write_text(text.replace(old, new))
    return tmp_path


def test_a_pointer_read_before_its_initial_assigns_it_is_refused(tmp_path):
    # NEURON's INITIAL would read what the last run left in the GLOBAL
    folder = _copy(tmp_path, gen_mod=("  x = 0.5*amp\n  seen = x\n", "  seen = x\n  x = 0.5*amp\n"))
    with pytest.raises(HocRefusal, match="does not surely assign x"):
        bridge.load_hoc(folder / "model.hoc", mechanisms=folder)


def test_an_owner_whose_initial_runs_first_is_refused(tmp_path):
    # rdr renamed ardr: nrnivmodl's order makes it the earlier type, so its INITIAL reads E before Gen's writes it
    folder = _copy(tmp_path, model_hoc=("rdr", "ardr"))  # insert ardr, g_ardr, E_ardr
    (folder / "ardr.mod").write_text((folder / "rdr.mod").read_text().replace("SUFFIX rdr", "SUFFIX ardr"))
    (folder / "rdr.mod").unlink()
    model = bridge.load_hoc(folder / "model.hoc", mechanisms=folder).to_model()
    with pytest.raises(UnsupportedFeature, match="ardr's INITIAL runs before Gen's"):
        bridge.Simulation(model)


def test_two_writers_of_one_global_are_refused(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "model.hoc").read_text() + "objref gen2\ndend gen2 = new Gen(0.5)\nsetpointer gen2.x, E_rdr\n"
    (folder / "model.hoc").write_text(text)
    model = bridge.load_hoc(folder / "model.hoc", mechanisms=folder).to_model()
    with pytest.raises(UnsupportedFeature, match="write through POINTERs to one E"):
        bridge.Simulation(model)


def test_a_pointer_to_a_global_parameter_is_refused(tmp_path):
    folder = _copy(tmp_path, rdr_mod=("  g = 0.001 (S/cm2)\n", "  g = 0.001 (S/cm2)\n  Q = 1\n"))
    text = (folder / "rdr.mod").read_text().replace("GLOBAL E", "GLOBAL E, Q")
    (folder / "rdr.mod").write_text(text)
    hoc = (folder / "model.hoc").read_text().replace("setpointer gen.x, E_rdr", "setpointer gen.x, Q_rdr")
    (folder / "model.hoc").write_text(hoc)
    with pytest.raises(HocRefusal, match="GLOBAL PARAMETER of rdr"):
        bridge.load_hoc(folder / "model.hoc", mechanisms=folder)
