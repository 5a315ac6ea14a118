"""The round-off-aware tolerance: bridge's max |dV| judged against NEURON's own sensitivity to one ulp.

The rule itself on made-up runs (pure numpy), then NEURON's second run on a long spiking model.
"""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from validation import roundoff
from validation.case import ROUNDOFF_FACTOR, Tolerance
from validation.compare import compare_runs
from validation.outcome import RunOutput

SETTINGS = {"tstop": 0.1, "dt": 0.025, "v_init": -65.0, "celsius": 6.3, "secondorder": 0}
V = np.array([-65.0, -64.0, 10.0, -70.0, -65.0])  # one spike (threshold -20 mV) between samples 1 and 2


def _runs(offset, own, rerun=0.0, perturbed=None):
    """bridge = NEURON + `offset` (a number or one per sample); NEURON's own difference `own` per sample
    (a number: the same at every sample; None: not measured), its unperturbed rerun's difference `rerun`
    (likewise) and its perturbed run's trace `perturbed` (default: V + own)."""
    t = np.arange(5) * 0.025
    measured = own is not None
    course = np.broadcast_to(np.asarray(own if measured else 0.0, float), t.shape).copy()
    again = np.broadcast_to(np.asarray(rerun, float), t.shape).copy()
    neuron = RunOutput("NEURON", t, ["soma(0.5).v"], V[:, None], named=["soma(0.5).v"], settings=SETTINGS,
                       roundoff={"soma(0.5).v": float(course.max())} if measured else None,
                       roundoff_course=course if measured else None,
                       roundoff_named=(V + course if perturbed is None else perturbed)[:, None] if measured else None,
                       rerun={"soma(0.5).v": float(again.max())} if measured else None,
                       rerun_course=again if measured else None, rerun_named=(V + again)[:, None])
    bridge = RunOutput("bridge", t, ["soma(0.5).v"], (V + np.asarray(offset))[:, None], settings=SETTINGS)
    return bridge, neuron


@pytest.mark.parametrize(("offset", "own", "factor", "passes"), [
    (3e-9, 1e-9, ROUNDOFF_FACTOR, True),  # within 10 x NEURON's own round-off
    (3e-9, 1e-9, None, False),  # a fixed bound (--atol): 1e-9
    (3e-9, 1e-11, ROUNDOFF_FACTOR, False),  # NEURON itself is stable here: 1e-9 still applies
    (5e-10, 0.0, ROUNDOFF_FACTOR, True),  # the fixed bound is the floor
    (2e-5, 1.05e-5, ROUNDOFF_FACTOR, True),  # no cap: 2 x a large but deterministic own difference passes
    (2e-3, 1.05e-4, ROUNDOFF_FACTOR, False),  # 19 x is not round-off
])
def test_roundoff_rule(offset, own, factor, passes):
    bridge, neuron = _runs(offset, own)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=factor), -20.0)
    assert c.passed == passes, c.reasons
    if factor is not None:
        assert c.roundoff_dv == own and c.rerun_dv == 0.0 and c.roundoff_refused is None
        assert c.dv_bound == max(1e-9, factor * own)
    if not passes:
        assert "max |dV|" in c.reasons[0]


def test_a_rerun_that_differs_gets_no_allowance():
    """Random numbers drawn anew, or state one run leaves for the next: NEURON's two runs differ for a reason
    other than round-off (at once by more than the fixed bar), so its difference under one ulp measures
    nothing and the fixed bar applies."""
    bridge, neuron = _runs(3e-9, 1e-6, rerun=np.array([0.0, 2e-9, 1e-8, 1e-8, 1e-8]))
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert not c.passed and c.dv_bound == 1e-9 and c.rerun_dv == 1e-8
    assert "second unperturbed run differs from its first by 1e-08 at soma(0.5).v, from 2e-09 mV at t = 0.025 ms" \
        in c.roundoff_refused
    assert "no round-off allowance" in c.reasons[0]


def test_a_rerun_that_drifts_from_round_off_counts_as_neurons_own():
    """NEURON summing in an order that varies between runs (threads): the rerun first differs by round-off
    (1 ulp, or a few ulps amplified in the step: 6.9e-12 mV on ModelDB 195666) and grows; the larger of its
    difference and the perturbed run's is NEURON's own."""
    drift = np.array([0.0, 6.9e-12, 1e-10, 1e-9, 1e-6])
    bridge, neuron = _runs(drift * 5, 1e-12, rerun=drift)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert c.passed and c.roundoff_refused is None, c.reasons
    assert c.rerun_dv == 1e-6 and c.roundoff_dv == 1e-6 and c.dv_bound == pytest.approx(1e-5)
    bridge, neuron = _runs(drift * 5, 1e-12, rerun=drift * 200)  # 1.4e-9 mV at first: not round-off
    assert compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0).roundoff_refused


def test_one_ulp_that_moves_a_spike_out_gets_no_allowance_past_it():
    """A perturbed run whose spike went away (chaos, or a threshold met exactly): no allowance over the whole
    run, however deterministic; only the samples before that spike are judged (a chaotic run's horizon)."""
    flat = np.full(5, -65.0)
    bridge, neuron = _runs(3e-9, 1e-6, perturbed=flat)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert not c.passed and c.chaotic and "changes its own spikes" in c.roundoff_refused
    assert c.horizon == pytest.approx(0.025 + 0.025 * 44 / 74)  # NEURON's spike (-20 mV) its own run lost
    assert c.spike_counts == (0, 0)  # the spike is at the horizon: not judged
    bridge, neuron = _runs(3e-9, 1e-6, perturbed=flat, rerun=np.array([0.0, 2e-9, 0.0, 0.0, 0.0]))
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)  # rerun: 2e-9 mV at once
    assert not c.passed and not c.chaotic and c.dv_bound == 1e-9 and c.horizon is None


N = 400  # samples of the made-up chaotic runs below (dt 0.025 ms: 10 ms)
T = np.arange(N) * 0.025
SPIKES = (40, 160, 280)  # NEURON's spikes: v jumps to +20 mV at these samples, -65 mV elsewhere


def _train(at) -> np.ndarray:
    v = np.full(N, -65.0)
    v[list(at)] = 20.0
    return v


def _chaotic(offset, own, perturbed_spikes=(40, 160), bridge_spikes=SPIKES, rerun=None):
    """NEURON spikes at SPIKES; its one-ulp run at `perturbed_spikes` (by default the third one lost: chaos),
    its own |dV| per sample `own`; bridge = NEURON + `offset` with spikes at `bridge_spikes`."""
    v = _train(SPIKES)
    course = np.asarray(own, float)
    again = np.zeros(N) if rerun is None else rerun
    settings = {**SETTINGS, "tstop": float(T[-1])}
    neuron = RunOutput("NEURON", T, ["soma(0.5).v"], v[:, None], named=["soma(0.5).v"], settings=settings,
                       roundoff={"soma(0.5).v": float(course.max())}, roundoff_course=course,
                       roundoff_named=_train(perturbed_spikes)[:, None], rerun={"soma(0.5).v": float(again.max())},
                       rerun_course=again, rerun_named=(v + again)[:, None])
    ours = _train(bridge_spikes) + np.broadcast_to(np.asarray(offset, float), (N,))
    return RunOutput("bridge", T, ["soma(0.5).v"], ours[:, None], settings=settings), neuron


def _own_growing(until: int) -> np.ndarray:
    """NEURON's own difference: 1e-14 mV growing 10-fold per 40 samples, diverged (85 mV) from `until` on."""
    own = 1e-14 * 10.0 ** (np.arange(N) / 40.0)
    own[until:] = 85.0
    return own


def test_a_chaotic_run_that_bridge_matches_before_its_horizon_is_chaotic():
    """Deterministic (the rerun bit-identical), but one ulp moves NEURON's third spike: NEURON cannot check
    its own trace beyond it, so bridge is judged before it only, by the round-off rule with NEURON's own
    difference up to the horizon; it matches there: CHAOTIC (neither passed nor failed)."""
    own = _own_growing(280)
    bridge, neuron = _chaotic(3 * own * (T < T[280]), own, bridge_spikes=(40, 160, 300))  # as NEURON's own: late
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert c.chaotic and not c.passed and not c.reasons
    t_spike = float(T[279] + 0.025 * 45 / 85)  # NEURON's third spike, lost by its one-ulp run
    assert c.horizon == pytest.approx(t_spike) and "lost" in c.horizon_why
    assert c.dv_bound == pytest.approx(10 * own[279])  # NEURON's own up to the horizon, not its 85 mV
    assert c.spike_counts == (2, 2) and c.roundoff_dv == 85.0 and c.max_dv == 85.0
    assert c.horizon_dv == pytest.approx(3 * own[279])
    verdict = c.chaotic_verdict(float(T[-1]))
    assert f"to t_h = {t_spike:g} ms (70.1%) of 9.975 ms" in verdict and "own max |dV| 85 mV" in verdict


def test_a_chaotic_run_that_bridge_matches_to_the_fixed_bar_throughout_passes():
    """bridge within 1e-9 mV of NEURON over the whole run (bit for bit, as a model whose arithmetic bridge
    reproduces exactly): PASS, as `--atol` judges it; the horizon bounds an allowance not needed."""
    bridge, neuron = _chaotic(5e-10, _own_growing(280))
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert c.passed and not c.chaotic and c.horizon is None and c.dv_bound == 1e-9 and c.spike_counts == (3, 3)
    assert c.roundoff_dv == 85.0 and "changes its own spikes" in c.roundoff_refused


def test_a_chaotic_run_that_bridge_misses_before_its_horizon_fails():
    """bridge off before the horizon fails as it would without chaos: a difference that appears while
    NEURON's own is small, and a spike of its own that NEURON does not have."""
    own = _own_growing(280)
    early = np.where((T > 1.0) & (T < T[280]), 1e-6, 0.0)  # 1e-6 mV from 1 ms: NEURON's own there 1e-13
    bridge, neuron = _chaotic(early, own)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert not c.passed and not c.chaotic and c.horizon is not None
    assert "before t_h" in c.reasons[0] and "at t = 1.025 ms" in c.reasons[0]
    bridge, neuron = _chaotic(0.0, own, bridge_spikes=(40, 200, 280))  # its second spike 1 ms late
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert not c.passed and not c.chaotic and any("spikes in bridge" in r or "spike times" in r for r in c.reasons)
    bridge, neuron = _chaotic(0.0, own, bridge_spikes=(40, 160, 280, 380))  # a spike after the horizon: not judged
    assert compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0).chaotic


def test_a_chaotic_horizon_is_where_neurons_own_difference_passes_a_millivolt_if_earlier():
    """NEURON's own difference past 1 mV (`roundoff.DIVERGED`) before a spike moves ends the checkable run
    there: past it the bar, 10 x NEURON's own, would be no measure of round-off."""
    own = _own_growing(280)
    own[200:280] = 2.0
    bridge, neuron = _chaotic(0.0, own, bridge_spikes=(40, 160, 300))
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert c.chaotic and c.horizon == pytest.approx(T[200]) and "exceeds 1 mV" in c.horizon_why
    assert c.spike_counts == (2, 2)


def test_a_spike_moved_beyond_the_spike_time_tolerance_is_the_horizon():
    """One ulp that only shifts a spike (paired, within the 1 ms window) by more than the spike-time
    tolerance keeps the whole-run rule (the spikes pair one to one); the horizon starts only where a spike is
    lost or gained, or where it moved by more than the tolerance in a run that is chaotic elsewhere."""
    t_h, why = roundoff.horizon(T, np.zeros(N), [(np.array([1.0, 4.0, 7.0]), np.array([1.0, 4.0 + 2e-6, 7.5]))],
                                1e-6, 1.0)
    assert t_h == 4.0 and "moved" in why
    t_h, why = roundoff.horizon(T, np.zeros(N), [(np.array([1.0, 4.0]), np.array([1.0, 4.0, 6.0]))], 1e-6, 1.0)
    assert t_h == 6.0 and "gained" in why
    assert roundoff.horizon(T, np.zeros(N), [(np.array([1.0]), np.array([1.0]))], 1e-6, 1.0) == (np.inf, "")


def test_spikes_unchanged_keep_the_whole_run_rule():
    """One ulp that leaves NEURON's spikes as they were: no horizon, the whole run judged (PASS or FAIL)."""
    own = 1e-14 * 10.0 ** (np.arange(N) / 80.0)
    bridge, neuron = _chaotic(3 * own, own, perturbed_spikes=SPIKES)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert c.passed and not c.chaotic and c.horizon is None and c.spike_counts == (3, 3)
    bridge, neuron = _chaotic(3 * own, _own_growing(280))  # chaotic, but --atol: the fixed bar over the whole run
    c = compare_runs(bridge, neuron, Tolerance(), -20.0)
    assert not c.passed and not c.chaotic and c.horizon is None and c.dv_bound == 1e-9


def test_a_chaotic_runs_states_are_judged_against_neurons_own_before_the_horizon():
    """A state's error before the horizon against 10 x NEURON's own difference of that state up to the last
    sample kept at or before the horizon (every `own_stride`-th: never past it); none kept: the fixed bar."""
    own = _own_growing(280)
    bridge, neuron = _chaotic(0.0, own)
    m = np.where(neuron.values[:, 0] > 0, 0.9, 0.05)
    gate = 1e-8 * (T >= T[100])  # NEURON's own difference of the gate: 1e-8 from sample 100 on, 0.5 after t_h
    gate[280:] = 0.5
    states = np.maximum.accumulate(gate)[::10, None]
    for run in (bridge, neuron):
        run.labels = ["soma(0.5).v", "soma(0.5).m_hh"]
    neuron.values = np.stack([neuron.values[:, 0], m], axis=1)
    neuron.roundoff_states, neuron.rerun_states, neuron.own_stride = states, np.zeros_like(states), 10
    tol = Tolerance(roundoff=ROUNDOFF_FACTOR)

    def judged(error):
        bridge.values = np.stack([bridge.values[:, 0], m + error], axis=1)
        return compare_runs(bridge, neuron, tol, -20.0)

    assert judged(5e-8 * (T >= T[100]) * (T < T[271])).chaotic  # 5 x NEURON's own, to the last checkpoint
    c = judged(5e-8 * (T >= T[100]) + 1e-3 * (T >= T[271]))  # at 271..279 NEURON's own was not kept: not judged
    assert c.chaotic and c.state_errors["soma(0.5).m_hh"] == pytest.approx(5e-8)
    c = judged(2e-7 * (T >= T[100]))  # 20 x
    assert not c.chaotic
    assert "m_hh: error 2e-07 (relative; tol max(1e-09, 10 x NEURON's own round-off before t_h 1e-08)" in c.reasons[0]
    neuron.roundoff_states = neuron.rerun_states = None  # not kept (an older NEURON output): the fixed bar
    c = judged(5e-8 * (T >= T[100]))
    assert not c.chaotic and "tol 1e-09; no round-off allowance" in c.reasons[0]


def test_a_chaotic_run_whose_rerun_is_not_deterministic_gets_no_allowance():
    """A rerun that differs at once by more than round-off (random numbers drawn anew): FAIL as before."""
    rerun = np.where(T >= T[10], 1e-3, 0.0)
    bridge, neuron = _chaotic(3e-9, _own_growing(280), rerun=rerun)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert not c.passed and not c.chaotic and c.horizon is None and c.dv_bound == 1e-9
    assert "second unperturbed run differs" in c.roundoff_refused


def test_the_bar_follows_neurons_own_difference_in_time():
    """A difference of bridge's that appears while NEURON's own is still small fails, though it is below
    10 x NEURON's own at the end (a wrong number early, where the model is still insensitive); at each
    sample the bar is at most LEAD x NEURON's own so far."""
    own = np.array([1e-14, 1e-12, 1e-9, 1e-7, 1e-6])
    early = np.array([0.0, 5e-8, 5e-8, 5e-8, 5e-8])
    bridge, neuron = _runs(early, own)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert not c.passed and c.dv_bound == pytest.approx(1e-5)
    assert "at t = 0.025 ms" in c.reasons[0] and "NEURON's own so far 1e-12 mV" in c.reasons[0]
    np.testing.assert_allclose(roundoff.bar_course(1e-9, 10.0, own), [1e-9, 1e-9, 1e-7, 1e-5, 1e-5])
    bridge, neuron = _runs(own * 50, own)  # 50 x NEURON's own so far, never above 10 x its largest
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert not c.passed  # 5e-5 at the end: above 10 x 1e-6
    jump = np.array([0.0, 0.0, 50 * 1e-9, 2e-7, 2e-6])  # a jump at one step, then with NEURON's own
    bridge, neuron = _runs(jump, own)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert c.passed, c.reasons
    assert c.roundoff_lead == pytest.approx(50.0)
    bridge, neuron = _runs(np.array([0.0, 0.0, 2e-7, 2e-7, 2e-7]), own)  # 200 x at the third sample
    assert not compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0).passed


def test_a_difference_that_shrinks_keeps_the_largest_bar_so_far():
    """NEURON's own difference may fall back (a trace re-converging after a spike); the bar does not."""
    own = np.array([0.0, 1e-7, 1e-12, 1e-12, 1e-12])
    np.testing.assert_array_equal(roundoff.envelope(own), [0.0, 1e-7, 1e-7, 1e-7, 1e-7])
    bridge, neuron = _runs(np.array([0.0, 0.0, 5e-7, 5e-7, 0.0]), own)
    assert compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0).passed


def test_states_get_the_allowance_only_where_v_does():
    t = np.arange(5) * 0.025
    labels = ["soma(0.5).v", "soma(0.5).m_hh"]
    m = np.array([0.05, 0.1, 0.9, 0.2, 0.05])
    values = np.stack([V, m], axis=1)

    def case(rerun):
        neuron = RunOutput("NEURON", t, labels, values, named=["soma(0.5).v"], settings=SETTINGS,
                           roundoff={"soma(0.5).v": 0.0, "soma(0.5).m_hh": 1e-9},
                           rerun={"soma(0.5).v": 0.0, "soma(0.5).m_hh": rerun}, rerun_course=np.zeros(5),
                           roundoff_course=np.zeros(5), roundoff_named=V[:, None])
        bridge = RunOutput("bridge", t, labels, values + [0.0, 3e-9], settings=SETTINGS)
        return compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)

    assert case(0.0).passed
    c = case(1e-15)
    assert not c.passed and "m_hh" in c.reasons[0] and "no round-off allowance" in c.reasons[0]


def test_without_a_rerun_there_is_no_allowance():
    t = np.arange(3) * 0.025
    zero = np.zeros(3)
    assert roundoff.refusal(None, None, zero, t, 1e-9, []) == "no rerun of NEURON to show it deterministic"
    assert roundoff.refusal({"a": 0.0}, zero, zero, t, 1e-9, []) is None
    assert "(not in v)" in roundoff.refusal({"a": 0.0, "b": 1e-3}, zero, zero, t, 1e-9, [])


def test_a_perturbed_run_that_stopped_elsewhere_gets_no_allowance():
    """A run with other samples (the model stopped it) gives inf as NEURON's own difference: no allowance,
    never an infinite bar."""
    bridge, neuron = _runs(1e-3, np.inf)
    c = compare_runs(bridge, neuron, Tolerance(roundoff=ROUNDOFF_FACTOR), -20.0)
    assert not c.passed and c.dv_bound == 1e-9 and "other samples" in c.roundoff_refused
    assert roundoff.worst_excess(np.array([1.0, 3.0, 2.0]), np.array([2.0, 2.0, 1.0])) == 2


def test_validate_uses_roundoff_unless_atol_is_given():
    from validation.command import _tolerance, add_arguments

    p = argparse.ArgumentParser()
    add_arguments(p)
    assert _tolerance(p.parse_args(["m"])) is None  # cases_from_args then uses Tolerance(roundoff=10)
    assert _tolerance(p.parse_args(["m", "--spike-tol", "1e-5"])).roundoff == ROUNDOFF_FACTOR
    fixed = _tolerance(p.parse_args(["m", "--atol", "1e-8"]))
    assert fixed.roundoff is None and fixed.max_dv == 1e-8


LONG = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma {
    L = 20
    diam = 20
    insert hh
}
dend {
    L = 300
    diam = 1
    nseg = 11
    insert hh
    gnabar_hh = 0.06
}
objref stim
soma stim = new IClamp(0.5)
stim.del = 5
stim.dur = 1e9
stim.amp = 0.25
tstop = 600
"""


@pytest.mark.neuron
def test_long_spiking_run_reports_neurons_own_roundoff(tmp_path):
    from validation.command import cases_from_args
    from validation.report import table, write_report
    from validation.suite import run_case

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "init.hoc").write_text(LONG)
    p = argparse.ArgumentParser()
    from validation.command import add_arguments

    add_arguments(p)
    (case,) = cases_from_args(tmp_path / "model", p.parse_args([str(tmp_path / "model")]))
    assert case.tolerance.roundoff == ROUNDOFF_FACTOR
    result = run_case(case)
    c = result.comparison
    assert result.passed, c.reasons
    assert c.spike_counts[1] > 50
    # NEURON against itself after one ulp: not zero on a long spiking run, far below a real error
    assert 0.0 < c.roundoff_dv < 1e-8
    assert c.rerun_dv == 0.0 and c.roundoff_refused is None  # NEURON again, unperturbed: bit for bit
    assert c.dv_bound == max(1e-9, ROUNDOFF_FACTOR * c.roundoff_dv)
    assert "NEURON round-off [mV]" in table([result])
    write_report([result], tmp_path / "out", with_plots=False)
    assert "NEURON against itself" in (tmp_path / "out" / "report.md").read_text()
    print(f"max |dV| {c.max_dv:.3g} mV, NEURON round-off {c.roundoff_dv:.3g} mV")


RESTING = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref stim
soma stim = new IClamp(0.5)
stim.del = 150
stim.dur = 100
stim.amp = 0.2
tstop = 300
"""


@pytest.mark.neuron
def test_roundoff_of_a_model_that_rests_to_the_last_bit_before_its_stimulus(tmp_path):
    """hh rests exactly (v a fixed point to the last bit) long before the stimulus at 150 ms: a single nudge
    at the start dies out within 3 ms (NEURON's own difference: one ulp, 1.4e-14 mV), so the round-off run
    nudges v again every ms, and the spikes then show NEURON's sensitivity (about 4e-11 mV)."""
    from validation.case import Case, Tolerance
    from validation.suite import run_case

    (tmp_path / "rest.hoc").write_text(RESTING)
    case = Case("rest", hoc=tmp_path / "rest.hoc", tolerance=Tolerance(roundoff=ROUNDOFF_FACTOR))
    c = run_case(case).comparison
    assert 1e-12 < c.roundoff_dv < 1e-8


RANDOM_INIT = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref stim, r
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 100
r = new Random()
proc init() {
    stim.amp = 0.2 + r.uniform(0, 1e-6)
    finitialize(v_init)
    fcurrent()
}
tstop = 30
"""


@pytest.mark.neuron
def test_a_model_that_draws_new_random_numbers_each_run_gets_no_allowance(tmp_path):
    """NEURON's own runs of a model whose init() draws a new stimulus amplitude (an unseeded Random, as
    models draw noise) differ for a reason other than round-off: the rerun shows it (at once by more than
    1e-9 mV), and the bar on bridge stays the fixed one however large NEURON's difference under one ulp."""
    from validation.case import Case, Protocol
    from validation.neuron_case import run_neuron_case

    (tmp_path / "r.hoc").write_text(RANDOM_INIT)
    case = Case("r", hoc=tmp_path / "r.hoc", protocol=Protocol(record_all=False),
                tolerance=Tolerance(roundoff=ROUNDOFF_FACTOR))
    neuron = run_neuron_case(case)
    label = "soma(0.5).v"
    assert neuron.rerun[label] > 1e-9 and neuron.roundoff[label] > 1e-9  # a spiking cell, moved by up to 1e-6 nA
    assert neuron.roundoff_course.shape == neuron.t.shape
    assert neuron.roundoff_named.shape == (len(neuron.t), len(neuron.named))
    bridge = RunOutput("bridge", neuron.t, neuron.labels, neuron.values + 2e-9, settings=neuron.settings,
                       geometry=neuron.geometry)
    c = compare_runs(bridge, neuron, case.tolerance, -20.0)
    assert c.dv_bound == 1e-9 and "second unperturbed run differs" in c.roundoff_refused
    assert neuron.rerun_course.shape == neuron.t.shape
    assert not c.passed and "no round-off allowance" in c.reasons[0]


FORCED = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref stim, tvec, amp
soma stim = new IClamp(0.5)
stim.del = 0
stim.dur = 1e9
tstop = 1000
dt = 0.025
tvec = new Vector()
tvec.indgen(0, 1001, 0.025)
amp = new Vector(tvec.size())
for i = 0, tvec.size() - 1 amp.x[i] = 0.01 + 0.047 * sin(2 * PI * 0.13 * tvec.x[i])
amp.play(&stim.amp, tvec, 1)
"""


@pytest.mark.neuron
def test_a_sinusoidally_forced_hh_cell_is_chaotic_in_neuron(tmp_path):
    """hh driven by 0.01 + 0.047 sin(2 pi 130 Hz t) nA (a continuous Vector.play) is chaotic: NEURON's run with
    v one ulp up moves a spike by more than 1e-6 ms within the first second and differs by about 100 mV
    later, though its rerun is bit-identical. A run that differs from NEURON by NEURON's own round-off (its
    one-ulp run, in bridge's place) is CHAOTIC, the horizon where that run first moved a spike; NEURON's
    own first run in bridge's place passes (the fixed bar over the whole run). (Bridge's own run of this
    model takes 90 s, so it is left to the ModelDB sweep: ModelDB 113997 is CHAOTIC the same way.)"""
    from validation.case import Case, Protocol
    from validation.neuron_case import run_neuron_case

    (tmp_path / "forced.hoc").write_text(FORCED)
    case = Case("forced", hoc=tmp_path / "forced.hoc", protocol=Protocol(record_all=False),
                tolerance=Tolerance(roundoff=ROUNDOFF_FACTOR))
    neuron = run_neuron_case(case)
    ulp = RunOutput("bridge", neuron.t, neuron.named, neuron.roundoff_named, settings=neuron.settings,
                    geometry=neuron.geometry)
    c = compare_runs(ulp, neuron, case.tolerance, -20.0)
    assert c.rerun_dv == 0.0 and c.roundoff_dv > 50 and "changes its own spikes" in c.roundoff_refused
    assert c.chaotic and not c.reasons and 100 < c.horizon < 900 and "moved" in c.horizon_why, c.reasons
    assert 0 < c.horizon_dv < 1e-3 and c.dv_bound == pytest.approx(10 * c.horizon_dv)  # the stand-in is NEURON's own
    assert c.spike_counts[0] == c.spike_counts[1] > 5
    assert c.max_dv > 50  # past the horizon
    same = RunOutput("bridge", neuron.t, neuron.labels, neuron.values, settings=neuron.settings,
                     geometry=neuron.geometry)
    c = compare_runs(same, neuron, case.tolerance, -20.0)
    assert c.passed and c.horizon is None and c.max_dv == 0.0
    print(compare_runs(ulp, neuron, case.tolerance, -20.0).chaotic_verdict(1000.0))
