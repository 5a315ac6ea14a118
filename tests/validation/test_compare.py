"""validation.compare: spike times, spike matching with unequal counts, and the case verdict (no NEURON)."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.solver.record import probe_label
from validation.case import Tolerance
from validation.compare import compare_geometry, compare_runs, match_spikes, spike_times
from validation.outcome import RunOutput

SETTINGS = {"tstop": 10.0, "dt": 0.025, "v_init": -65.0, "celsius": 6.3, "secondorder": 0}


# -- spike times -------------------------------------------------------------------------------------

def test_spike_time_is_the_interpolated_upward_crossing():
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    v = np.array([-60.0, -30.0, 10.0, -10.0, -60.0])  # crosses -20 going up between t=1 and 2, down later
    np.testing.assert_allclose(spike_times(t, v, -20.0), [1.25], rtol=0, atol=1e-15)


def test_spike_time_counts_only_upward_crossings_and_includes_touching_the_threshold():
    t = np.arange(7.0)
    v = np.array([-30.0, -20.0, -25.0, 5.0, -40.0, -19.0, -21.0])
    # up to exactly -20 at t=1 counts (v[i] < thr <= v[i+1]); up through -20 at 2..3; up at 4..5
    got = spike_times(t, v, -20.0)
    np.testing.assert_allclose(got, [1.0, 2.0 + 5.0 / 30.0, 4.0 + 20.0 / 21.0], rtol=0, atol=1e-14)


def test_no_spikes_in_a_flat_trace():
    assert spike_times(np.arange(5.0), np.full(5, -65.0), -20.0).size == 0


# -- matching ----------------------------------------------------------------------------------------

def test_equal_trains_pair_one_to_one():
    a = np.array([5.0, 15.0, 25.0])
    m = match_spikes(a, a + 1e-3, window=1.0)
    assert m.pairs == [(0, 0), (1, 1), (2, 2)] and not m.only_a and not m.only_b
    assert m.max_shift(a, a + 1e-3) == pytest.approx(1e-3, abs=1e-12)


def test_an_extra_spike_in_the_middle_leaves_the_others_paired_with_their_partners():
    a = np.array([5.0, 10.0, 15.0, 25.0])  # bridge fired once more, at 10 ms
    b = np.array([5.01, 15.02, 25.03])
    m = match_spikes(a, b, window=1.0)
    assert m.pairs == [(0, 0), (2, 1), (3, 2)]
    assert m.only_a == [1] and m.only_b == []
    assert m.max_shift(a, b) == pytest.approx(0.03, abs=1e-12)


def test_a_missing_last_spike_and_a_shifted_train():
    a = np.array([5.5, 15.5])
    b = np.array([5.0, 15.0, 25.0])
    m = match_spikes(a, b, window=1.0)
    assert m.pairs == [(0, 0), (1, 1)] and m.only_b == [2] and m.only_a == []


def test_spikes_farther_apart_than_the_window_are_not_paired():
    m = match_spikes(np.array([5.0]), np.array([8.0]), window=1.0)
    assert m.pairs == [] and m.only_a == [0] and m.only_b == [0]


def test_matching_prefers_the_nearest_partner_over_the_first():
    # a greedy in-order matcher would pair 10.0 with 9.5 and leave 10.4 alone
    m = match_spikes(np.array([10.0]), np.array([9.5, 10.05]), window=1.0)
    assert m.pairs == [(0, 1)] and m.only_b == [0]


def test_empty_trains():
    m = match_spikes(np.array([]), np.array([3.0]), window=1.0)
    assert m.pairs == [] and m.only_b == [0]


# -- the verdict -------------------------------------------------------------------------------------

def _spiking(t: np.ndarray, times: list[float]) -> np.ndarray:
    v = np.full_like(t, -65.0)
    for ts in times:
        v += 100.0 * np.exp(-((t - ts) / 0.3) ** 2)
    return v


def _run(side: str, values: dict[str, np.ndarray], t: np.ndarray, named=None, geometry=None,
         settings=None) -> RunOutput:
    labels = list(values)
    return RunOutput(side, t, labels, np.stack([values[k] for k in labels], axis=1),
                     named=list(named if named is not None else labels[:1]),
                     geometry=geometry if geometry is not None else {"soma": {"area": [100.0], "ri": [0.5]}},
                     settings=dict(settings or SETTINGS))


T = np.arange(401) * 0.025
SOMA = probe_label("soma", 0.5)


def test_identical_runs_pass():
    v = _spiking(T, [3.0, 7.0])
    cmp = compare_runs(_run("bridge", {SOMA: v}, T), _run("NEURON", {SOMA: v.copy()}, T), Tolerance(), -20.0)
    assert cmp.passed and cmp.max_dv == 0.0 and cmp.spike_counts == (2, 2)
    assert cmp.segment_dv["soma"].tolist() == [0.0]


def test_voltage_error_above_tolerance_fails_and_names_the_recording():
    v = _spiking(T, [3.0])
    cmp = compare_runs(_run("bridge", {SOMA: v + 2e-9}, T), _run("NEURON", {SOMA: v}, T), Tolerance(), -20.0)
    assert not cmp.passed
    assert cmp.max_dv == pytest.approx(2e-9, rel=1e-6)
    assert cmp.rms_dv == pytest.approx(2e-9, rel=1e-6)
    assert any("max |dV|" in r and "soma(0.5).v" in r for r in cmp.reasons)


def test_an_extra_spike_fails_even_when_the_others_match():
    ours, theirs = _spiking(T, [3.0, 5.0, 7.0]), _spiking(T, [3.0, 7.0])
    cmp = compare_runs(_run("bridge", {SOMA: ours}, T), _run("NEURON", {SOMA: theirs}, T),
                       Tolerance(max_dv=1e3), -20.0)
    assert cmp.spike_counts == (3, 2)
    assert cmp.spike_shift < 1e-9  # the matched spikes are the same
    assert any("3 spikes in bridge, 2 in NEURON (1 unmatched)" in r for r in cmp.reasons)


def test_spike_shift_is_judged_by_its_own_tolerance():
    ours, theirs = _spiking(T, [3.0 + 0.01]), _spiking(T, [3.0])
    cmp = compare_runs(_run("bridge", {SOMA: ours}, T), _run("NEURON", {SOMA: theirs}, T),
                       Tolerance(max_dv=1e3, spike_time=1e-3), -20.0)
    assert cmp.spike_shift == pytest.approx(0.01, rel=1e-2)
    assert any(r.startswith("spike times differ") for r in cmp.reasons)


def test_states_are_judged_relative_to_their_size():
    cai = np.full_like(T, 5e-5)
    m = np.linspace(0.05, 0.9, len(T))
    v = np.full_like(T, -65.0)
    lab_cai, lab_m = probe_label("soma", 0.5, "cai"), probe_label("soma", 0.5, "m_hh")
    ours = {SOMA: v, lab_cai: cai * (1 + 1e-6), lab_m: m + 1e-12}
    theirs = {SOMA: v, lab_cai: cai, lab_m: m}
    cmp = compare_runs(_run("bridge", ours, T), _run("NEURON", theirs, T), Tolerance(), -20.0)
    # cai is scaled by max(1, |cai|) = 1: an absolute 5e-11 error passes a 1e-9 bar
    assert cmp.state_errors[lab_cai] == pytest.approx(5e-11, rel=1e-6)
    assert cmp.state_errors[lab_m] == pytest.approx(1e-12, rel=1e-3)
    assert cmp.passed
    big = {**theirs, lab_m: m + 1e-6}
    cmp = compare_runs(_run("bridge", big, T), _run("NEURON", theirs, T), Tolerance(), -20.0)
    assert any(r.startswith("soma(0.5).m_hh") for r in cmp.reasons)


def test_nan_on_one_side_is_an_infinite_error():
    v = np.full_like(T, -65.0)
    ours = v.copy()
    ours[100:] = np.nan
    cmp = compare_runs(_run("bridge", {SOMA: ours}, T), _run("NEURON", {SOMA: v}, T), Tolerance(), -20.0)
    assert cmp.max_dv == np.inf and not cmp.passed


def test_different_sample_counts_and_settings_fail():
    v = np.full_like(T, -65.0)
    cmp = compare_runs(_run("bridge", {SOMA: v[:-1]}, T[:-1], settings={**SETTINGS, "tstop": 9.975}),
                       _run("NEURON", {SOMA: v}, T), Tolerance(), -20.0)
    assert "tstop: bridge 9.975, NEURON 10.0" in cmp.reasons
    assert "samples: bridge 400, NEURON 401" in cmp.reasons


def test_a_recording_bridge_lacks_fails():
    v = np.full_like(T, -65.0)
    other = probe_label("dend", 0.5)
    cmp = compare_runs(_run("bridge", {SOMA: v}, T), _run("NEURON", {SOMA: v, other: v}, T), Tolerance(), -20.0)
    assert f"{other}: not recorded by bridge" in cmp.reasons


def test_segment_errors_per_section_in_x_order():
    v = np.full_like(T, -65.0)
    labels = [probe_label("dend", (j + 0.5) / 3) for j in range(3)]
    geo = {"dend": {"area": [1.0, 1.0, 1.0], "ri": [1.0, 1.0, 1.0]}}
    ours = {lab: v + 1e-12 * (k + 1) for k, lab in enumerate(labels)}
    theirs = {lab: v for lab in labels}
    cmp = compare_runs(_run("bridge", ours, T, geometry=geo), _run("NEURON", theirs, T, geometry=geo), Tolerance(),
                       -20.0)
    # -65 + 1e-12 rounds to a multiple of 2**-46 mV (1.4e-14): 2% covers it
    np.testing.assert_allclose(cmp.segment_dv["dend"], [1e-12, 2e-12, 3e-12], rtol=2e-2)


def test_geometry_differences_are_found():
    neuron = {"soma": {"area": [100.0], "ri": [0.5]}, "dend": {"area": [10.0, 10.0], "ri": [1.0, 1.0]}}
    same = {"soma": {"area": [100.0], "ri": [0.5]}, "dend": {"area": [10.0, 10.0], "ri": [1.0, 1.0]}}
    assert compare_geometry(same, neuron) == (0.0, [])
    off = {"soma": {"area": [100.0], "ri": [0.5]}, "dend": {"area": [10.0, 10.0 * (1 + 1e-9)], "ri": [1.0, 1.0]}}
    worst, problems = compare_geometry(off, neuron)
    assert worst == pytest.approx(1e-9, rel=1e-3) and problems == []
    worst, problems = compare_geometry({"soma": same["soma"], "dend": {"area": [10.0], "ri": [1.0]}}, neuron)
    assert problems == ["dend: nseg 1 in bridge, 2 in NEURON"]
    worst, problems = compare_geometry({"soma": same["soma"]}, neuron)
    assert problems == ["sections only in NEURON: dend"]


def test_geometry_error_fails_the_case():
    v = np.full_like(T, -65.0)
    cmp = compare_runs(_run("bridge", {SOMA: v}, T, geometry={"soma": {"area": [100.0 + 1e-6], "ri": [0.5]}}),
                       _run("NEURON", {SOMA: v}, T), Tolerance(), -20.0)
    assert any(r.startswith("geometry: area/ri differ") for r in cmp.reasons)
