"""validation runners and suite against real NEURON: HOC files, model folders, SectionTrees, a broken port.

Every case here runs NEURON in a subprocess (validation.neuron_case) and bridge
in this process; the verdicts come from comparing the two, never from stored numbers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bridge.morphology.tree import SectionTree
from validation.case import Case, IClamp, Protocol
from validation.report import table
from validation.suite import run_case, run_suite

pytestmark = pytest.mark.neuron

DATA = Path(__file__).parent / "data"
BALL_STICK = DATA / "ball_stick" / "ball_stick.hoc"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_MOD = ROOT / "examples" / "cell" / "mod"
SPIKING = Protocol(tstop=25.0, stimuli=[IClamp("soma", 0.5, delay=1.0, dur=20.0, amp=0.3)])


def _assert_pass(result):
    assert result.status == "pass", table([result]) + "\n" + result.error + "\n".join(
        result.comparison.reasons if result.comparison else [])


def test_hoc_file_matches_neuron_at_every_segment():
    result = run_case(Case("ball-stick", hoc=BALL_STICK, protocol=SPIKING))
    _assert_pass(result)
    c = result.comparison
    assert c.max_dv <= 1e-9 and c.geometry_error <= 1e-12
    nb, nn = c.spike_counts
    assert nb == nn >= 2  # the HOC's own IClamp plus ours: the soma fires
    # every segment of the 3 sections (1 + 9 + 5) was recorded and compared
    assert sum(len(v) for v in c.segment_dv.values()) == 15
    # both sides ran the HOC's settings, and the HOC's stimulus as well as the protocol's
    assert result.neuron.settings == result.bridge.settings
    assert result.neuron.settings["tstop"] == 25.0 and result.neuron.stimuli == []


def test_settings_and_stimuli_of_the_hoc_are_honoured():
    result = run_case(Case("ball-stick", hoc=BALL_STICK, protocol=Protocol(record_all=False)))
    _assert_pass(result)
    assert result.neuron.settings["tstop"] == 20.0  # set by the HOC
    assert len(result.neuron.t) == 801
    assert result.comparison.spike_counts[1] >= 1  # the HOC's IClamp (0.3 nA, 2-12 ms) makes the soma fire
    # soma and the distal dendrite, then hh's STATEs and its ions at the soma
    assert result.neuron.labels[:2] == ["soma(0.5).v", "dend[1](0.9).v"]
    states = ("m_hh", "h_hh", "n_hh", "nai", "ena", "ki", "ek")
    assert set(result.neuron.labels[2:]) == {f"soma(0.5).{v}" for v in states}
    assert max(result.comparison.state_errors.values()) <= 1e-9


def test_run_inside_the_hoc_marks_the_protocol(tmp_path):
    (tmp_path / "runs.hoc").write_text(
        'load_file("stdrun.hoc")\n'
        f'load_file("{BALL_STICK}")\n'
        "tstop = 12\nv_init = -70\nsteps_per_ms = 20\ndt = 0.05\nrun()\n")
    result = run_case(Case("runs", hoc=tmp_path / "runs.hoc", allow_read=[DATA]))  # it loads DATA's file
    _assert_pass(result)  # NEURON simulated during loading; bridge only noted the run; then both ran it
    assert result.bridge.settings == {"tstop": 12.0, "dt": 0.05, "v_init": -70.0, "celsius": 6.3, "secondorder": 0}


def test_default_protocol_when_the_model_has_no_stimulus(tmp_path):
    (tmp_path / "quiet.hoc").write_text(
        "create soma, dend\nsoma { L = 20 diam = 20 insert hh }\n"
        "dend { L = 300 diam = 1 nseg = 11 insert pas }\nconnect dend(0), soma(1)\n")
    result = run_case(Case("quiet", hoc=tmp_path / "quiet.hoc", protocol=Protocol(tstop=30.0)))
    _assert_pass(result)
    steps = result.neuron.stimuli
    assert [(s["section"], s["delay"], s["amp"]) for s in steps] == [("soma", 3.0, 0.1), ("soma", 12.0, 0.2),
                                                                      ("soma", 21.0, 0.4)]
    assert result.bridge.stimuli == steps
    assert result.neuron.named[:2] == ["soma(0.5).v", "dend(0.9545454545454546).v"]
    assert result.comparison.spike_counts[1] >= 1


def test_model_folder_with_mechanisms_and_states(tmp_path):
    protocol = Protocol(tstop=30.0, recordings=["Cell[0].soma(0.5).v", "Cell[0].soma(0.5).cai",
                                                "Cell[0].soma(0.5).m_na", "Cell[0].dend[2](0.5).v"])
    result = run_case(Case("active", hoc=DATA / "active_cell" / "init.hoc", mechanisms=EXAMPLE_MOD,
                           statements=["make_cell(0)"], protocol=protocol))
    _assert_pass(result)
    c = result.comparison
    soma_states = {f"Cell[0].soma(0.5).{v}"
                   for v in ("m_na", "h_na", "n_kdr", "m_cal", "cai", "eca", "nai", "ena", "ki", "ek")}
    assert set(c.state_errors) == soma_states  # every STATE and ion of the soma, and the protocol's own
    assert max(c.state_errors.values()) <= 1e-9
    cai = result.neuron.trace("Cell[0].soma(0.5).cai")
    assert cai.max() > 1.5 * cai[0]  # calcium really moved: the comparison is not of constants
    assert c.spike_counts[1] >= 1


def test_python_built_tree_with_3d_points():
    tree = SectionTree()
    soma = tree.section("soma", nseg=1)
    tree.set_pt3d(soma, [[0, 0, 0, 18.0], [9, 0, 0, 20.0], [18, 0, 0, 16.0]])
    soma.insert("hh")
    dend = tree.section("dend", nseg=7, Ra=150.0)
    tree.set_pt3d(dend, [[18, 0, 0, 3.0], [60, 30, 0, 2.0], [150, 40, 10, 1.0]])
    dend.insert("pas", g=2e-4, e=-68.0)
    tree.connect(dend, soma, 1.0)
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 1.0, "dur": 5.0, "amp": 0.4})
    result = run_case(Case("tree", tree=tree, protocol=Protocol(tstop=10.0, celsius=16.0)))
    _assert_pass(result)
    assert result.neuron.settings["celsius"] == 16.0
    assert result.comparison.geometry_error <= 1e-12
    assert result.neuron.stimuli == []  # the tree's own IClamp is the protocol


def _broken_port(tmp_path: Path) -> Path:
    port = tmp_path / "port"
    shutil.copytree(EXAMPLE_MOD, port)
    text = (port / "ih.mod").read_text()
    assert "eh = -30 (mV)" in text
    (port / "ih.mod").write_text(text.replace("eh = -30 (mV)", "eh = -31 (mV)"))
    return port


def test_a_parameter_changed_on_the_bridge_side_only_fails(tmp_path):
    result = run_case(Case("broken", hoc=DATA / "active_cell" / "init.hoc", mechanisms=EXAMPLE_MOD,
                           bridge_mechanisms=_broken_port(tmp_path), statements=["make_cell(0)"],
                           protocol=Protocol(tstop=20.0)))
    assert result.status == "fail"
    assert result.comparison.max_dv > 1e-3
    assert any(r.startswith("max |dV|") for r in result.comparison.reasons)
    row = next(line for line in table([result]).splitlines() if line.startswith("broken"))
    assert "FAIL" in row and "max |dV|" in row


def test_neuron_errors_are_reported_not_raised():
    result = run_case(Case("typo", hoc=BALL_STICK, statements=["make_cel(0)"]))
    assert result.status == "error"
    assert "NEURON" in result.error and "make_cel" in result.error


def test_a_recording_of_a_missing_section_is_an_error():
    result = run_case(Case("nosec", hoc=BALL_STICK, protocol=Protocol(recordings=["axon(0.5).v"])))
    assert result.status == "error" and "no section 'axon'" in result.error


def test_a_model_that_turns_on_cvode_is_compared_on_the_fixed_step():
    result = run_case(Case("cvode", hoc=BALL_STICK, statements=["cvode_active(1)"],
                           protocol=Protocol(tstop=5.0, record_all=False)))
    _assert_pass(result)
    (note,) = result.neuron.notes
    assert note.startswith("the model turns on CVODE (variable step); the comparison is NEURON's fixed step")
    assert "dt = 0.025 ms" in note
    assert len(result.neuron.t) == 201  # fixed steps of 0.025 ms


def test_suite_runs_cases_in_a_process_pool_in_order():
    cases = [Case("b", hoc=BALL_STICK, protocol=Protocol(tstop=5.0, record_all=False)),
             Case("a", hoc=BALL_STICK, protocol=Protocol(tstop=3.0, dt=0.05, record_all=False))]
    results = run_suite(cases, workers=2, progress=False)
    assert [r.name for r in results] == ["b", "a"]
    assert all(r.passed for r in results), table(results)
    assert len(results[0].neuron.t) == 201 and len(results[1].neuron.t) == 61
    assert np.all(np.diff(results[1].bridge.t) > 0)


def test_mod_files_the_model_does_not_use_are_not_translated(tmp_path):
    # one bridge cannot translate is fine while unused (NEURON does not compile it either)
    shutil.copy(BALL_STICK, tmp_path / "cell.hoc")
    (tmp_path / "unused.mod").write_text(
        "NEURON { POINT_PROCESS Unused RANGE w }\nPARAMETER { w = 0 }\n"
        "BREAKPOINT {\nVERBATIM\n  int *k = 0;\nENDVERBATIM\n}\n")  # C outside the subset bridge translates: a pointer
    result = run_case(Case("unused", hoc=tmp_path / "cell.hoc", mechanisms=tmp_path,
                           protocol=Protocol(tstop=5.0, record_all=False)))
    _assert_pass(result)
    (tmp_path / "cell.hoc").write_text((BALL_STICK).read_text() + "objref u\nsoma u = new Unused(0.5)\n")
    result = run_case(Case("used", hoc=tmp_path / "cell.hoc", mechanisms=tmp_path,
                           protocol=Protocol(tstop=5.0, record_all=False)))
    assert result.status == "error" and result.error.startswith("bridge:")
    assert "VERBATIM" in result.error and "unused.mod:5:7" in result.error  # the first token outside the subset
    assert result.neuron is None  # bridge refused the model: NEURON was not started (issue 10)


def test_the_hocs_own_vector_records_are_compared(tmp_path):
    (tmp_path / "rec.hoc").write_text((BALL_STICK).read_text() +
                                      "objref vv, vm\nvv = new Vector()\nvv.record(&dend[0].v(0.25))\n"
                                      "vm = new Vector()\nvm.record(&soma.h_hh(0.5))\n")
    result = run_case(Case("rec", hoc=tmp_path / "rec.hoc", protocol=Protocol(tstop=10.0, record_all=False,
                                                                              record_states=False)))
    _assert_pass(result)
    assert result.neuron.named[2:] == ["dend[0](0.25).v", "soma(0.5).h_hh"]
    assert "soma(0.5).h_hh" in result.comparison.state_errors


@pytest.mark.parametrize("extra, driven", [
    ("objref ap, syn\nsoma ap = new APCount(0.5)\nsoma syn = new ExpSyn(0.5)\n", False),
    ("objref syn, ns, nc\nsoma syn = new ExpSyn(0.5)\nns = new NetStim()\nnc = new NetCon(ns, syn)\n", True),
    ("objref cl\nsoma cl = new SEClamp(0.5)\n", True),
])
def test_neuron_decides_whether_the_model_drives_itself(tmp_path, extra, driven):
    from validation.neuron_case import run_neuron_case

    (tmp_path / "m.hoc").write_text("create soma\nsoma { L = 20 diam = 20 insert pas }\n" + extra)
    out = run_neuron_case(Case("m", hoc=tmp_path / "m.hoc", protocol=Protocol(tstop=10.0, record_all=False)))
    assert (out.stimuli == []) == driven  # an observer or a synapse without a NetCon drives nothing


def test_too_many_segments_for_the_whole_cell_recording_is_noted(tmp_path):
    from validation.report import write_report

    result = run_case(Case("big", hoc=BALL_STICK, protocol=Protocol(tstop=2.0, max_segments=10)))
    _assert_pass(result)
    assert result.neuron.notes == ["v not recorded at every segment: 15 segments x 81 samples is more than "
                                   "max_segments = 10 or 2e+07 values"]
    assert set(result.comparison.segment_dv) == {"soma"}  # its one segment is a named recording
    assert not any(lab.startswith("dend[0]") for lab in result.neuron.labels)
    text = write_report([result], tmp_path).read_text()
    assert "note (NEURON): v not recorded at every segment" in text and "no error map" in text
    assert not (tmp_path / "big-morph.png").exists()


def test_array_states_are_named_in_a_note_not_dropped_silently(tmp_path):
    from validation.neuron_case import run_neuron_case

    (tmp_path / "arr.mod").write_text(
        "NEURON { SUFFIX arr }\nSTATE { c[3] q }\nINITIAL { q = 1 }\nBREAKPOINT { SOLVE s METHOD cnexp }\n"
        "DERIVATIVE s { q' = -q }\n")
    (tmp_path / "m.hoc").write_text("create soma\nsoma { insert pas insert arr }\n")
    out = run_neuron_case(Case("arr", hoc=tmp_path / "m.hoc", mechanisms=tmp_path,
                               protocol=Protocol(tstop=1.0, record_all=False)))
    assert "soma(0.5).q_arr" in out.named
    assert out.notes == ["array STATEs not compared (recordings take scalars): c_arr[3]"]


def test_a_point_process_recording_of_the_hoc_is_compared():
    """`iclamp.record(&clamp.i)` in the HOC: both sides record SEClamp[0].i and it is compared
    (relative error, as for states); the case also takes it as an explicit recording."""
    hoc = ROOT / "tests" / "hoc" / "data" / "seclamp_cell.hoc"
    result = run_case(Case("clamp", hoc=hoc, protocol=Protocol(recordings=["SEClamp[0].vc"])))
    _assert_pass(result)
    recs = {r.label: r for r in result.comparison.recordings}
    assert not recs["SEClamp[0].i"].voltage and recs["SEClamp[0].i"].max_abs <= 1e-9  # [nA]
    assert recs["SEClamp[0].vc"].max_abs == 0.0  # the command levels are exact
    assert np.abs(result.neuron.trace("SEClamp[0].i")).max() > 1.0  # the clamp drives current
