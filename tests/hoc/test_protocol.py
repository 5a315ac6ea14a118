"""bridge.hoc.protocol: a HOC model's run, simulated by bridge, against NEURON running the same file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bridge

DATA = Path(__file__).resolve().parent / "data"

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cell"

_NEURON_RUN = r"""
import json, os, sys
path, library = sys.argv[1], sys.argv[2]
os.chdir(os.path.dirname(path))
from neuron import h
if library:
    h.nrn_load_dll(library)
h.load_file(path)
out = {name: list(getattr(h, name)) for name in sys.argv[3:]}
print("JSON:" + json.dumps(out))
"""


def neuron_vectors(path: Path, *names: str, mod_dir: Path | None = None) -> dict:
    """Run the HOC file in NEURON (its own run()), with mod_dir's .mod files compiled; its Vectors by name."""
    library = ""
    if mod_dir is not None:
        from validation.neuron_run import compile_mod_files

        library = str(compile_mod_files(sorted(mod_dir.glob("*.mod"))))
    proc = subprocess.run([sys.executable, "-c", _NEURON_RUN, str(path), library, *names], capture_output=True,
                          text=True, timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("JSON:")), None)
    assert line is not None, proc.stderr[-2000:]
    return {k: np.array(v) for k, v in json.loads(line[5:]).items()}


def test_protocol_of_hh_cell():
    model = bridge.load_hoc(DATA / "hh_cell.hoc")
    p = model.protocol
    assert (p.celsius, p.v_init, p.tstop, p.dt) == (16.0, -64.0, 8.0, 0.025)
    assert model.probes() == ["soma(0.5).v", "dend[0](0.9).v"]
    assert len(p.runs) == 1 and p.runs[0].tstop == 8.0


@pytest.mark.neuron
def test_hh_cell_voltage_matches_neuron():
    ref = neuron_vectors(DATA / "hh_cell.hoc", "vsoma", "vdend")
    model = bridge.load_hoc(DATA / "hh_cell.hoc")
    traces = model.simulate()
    for probe, name in zip(model.probes(), ["vsoma", "vdend"]):
        ours = np.asarray(traces[probe])
        assert ours.shape == ref[name].shape
        assert np.max(np.abs(ours - ref[name])) <= 1e-9, f"{probe}: max |dV| {np.max(np.abs(ours - ref[name]))}"
    assert np.max(ref["vsoma"]) > 0  # it spiked: the comparison covers an action potential


@pytest.mark.neuron
def test_model_with_a_mechanism_folder_simulates_as_neuron():
    """load_hoc(..., mechanisms=folder).simulate() runs the folder's translated mechanisms (the
    example cell: na, kdr, cal, cad, ih, with its own IClamp and Vector.record)."""
    ref = neuron_vectors(EXAMPLE / "init.hoc", "vsoma", "vtuft", mod_dir=EXAMPLE / "mod")
    model = bridge.load_hoc(EXAMPLE / "init.hoc", mechanisms=EXAMPLE / "mod")
    assert sorted(model.mechanisms()) == ["cad", "cal", "ih", "kdr", "na"]
    traces = model.simulate()
    assert model.probes() == ["soma(0.5).v", "apic[3](0.9).v"]
    for probe, name in zip(model.probes(), ["vsoma", "vtuft"]):
        ours = np.asarray(traces[probe])
        assert ours.shape == ref[name].shape
        assert np.max(np.abs(ours - ref[name])) <= 1e-9, f"{probe}: max |dV| {np.max(np.abs(ours - ref[name]))}"
    assert np.max(ref["vsoma"]) > 0  # it fired


@pytest.mark.neuron
def test_dend3_demo_voltage_matches_neuron(tmp_path):
    """NEURON's dend3 demo: hh soma, myelinated axon, three dendrites each with an AlphaSynapse
    (bridge's own alphasyn.mod), run with the demo's settings."""
    from tests.hoc.test_neuron_parity import _demo, dend3_driver

    driver = dend3_driver(tmp_path, record=True)
    ref = neuron_vectors(driver, "vsoma", "vd0", "vd2")
    model = bridge.load_hoc(driver, allow_read=[_demo() / "dend3"])
    traces = model.simulate()
    assert model.probes() == ["soma(0.5).v", "dend[0](0.5).v", "dend[2](1.0).v"]
    for probe, name in zip(model.probes(), ["vsoma", "vd0", "vd2"]):
        ours = np.asarray(traces[probe])
        assert ours.shape == ref[name].shape
        assert np.max(np.abs(ours - ref[name])) <= 1e-9, f"{probe}: max |dV| {np.max(np.abs(ours - ref[name]))}"
    assert np.max(ref["vsoma"]) > 0  # the synapses fire the soma


@pytest.mark.neuron
def test_voltage_clamp_cell_matches_neuron():
    """SEClamp from HOC (bridge's built-in): the clamped soma, the dendrite, the spike after release."""
    ref = neuron_vectors(DATA / "seclamp_cell.hoc", "vsoma", "vdend", "iclamp")
    model = bridge.load_hoc(DATA / "seclamp_cell.hoc")
    assert [p.name for p in model.tree.point_processes] == ["SEClamp", "IClamp"]
    assert model.probes() == ["soma(0.5).v", "dend(1.0).v", "SEClamp[0].i"]  # Vector.record(&clamp.i)
    traces = model.simulate()
    for probe, name in zip(model.probes(), ["vsoma", "vdend", "iclamp"]):  # [mV], [mV], [nA]
        ours = np.asarray(traces[probe])
        assert ours.shape == ref[name].shape
        assert np.max(np.abs(ours - ref[name])) <= 1e-9, f"{probe}: max |dV| {np.max(np.abs(ours - ref[name]))}"
    assert np.max(ref["vsoma"]) > 0  # it fired once the clamp let go


@pytest.mark.neuron
def test_states_and_currents_set_before_finitialize_match_neuron():
    """m_hh, il_hh, ina and IClamp.i set from HOC before the run: NEURON overwrites them (bridge
    keeps them only for HOC to read back), so the voltages agree."""
    ref = neuron_vectors(DATA / "assign_before_init.hoc", "vs")
    model = bridge.load_hoc(DATA / "assign_before_init.hoc")
    ours = np.asarray(model.simulate()["soma(0.5).v"])
    assert ours.shape == ref["vs"].shape
    assert np.max(np.abs(ours - ref["vs"])) <= 1e-9
    assert np.max(ref["vs"]) > 0  # it fired


@pytest.mark.neuron
def test_point_process_group_manager_session_matches_neuron():
    """IClamps made by a session file's PointProcessGroupManager (mnews, select, move)."""
    from tests.hoc.compare import compare_trees, neuron_dump

    ref_tree = neuron_dump(DATA / "ppgroup.hoc")
    ref = neuron_vectors(DATA / "ppgroup.hoc", "vs")
    with pytest.warns(UserWarning, match="PointProcessGroupManager"):  # its window is listed, not drawn
        model = bridge.load_hoc(DATA / "ppgroup.hoc")
    compare_trees(model, ref_tree)
    assert [(p.section, p.x, p.params["amp"]) for p in model.tree.point_processes] == [("soma", 0.5, 0.4),
                                                                                     ("dend", 0.7, 0.8)]
    ours = np.asarray(model.simulate()["soma(0.5).v"])
    assert ours.shape == ref["vs"].shape
    assert np.max(np.abs(ours - ref["vs"])) <= 1e-9
    assert np.max(ref["vs"]) > 0
