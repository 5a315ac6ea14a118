"""VERBATIM blocks of the small C subset bridge translates, against NEURON 9 (bridge.nmodl.analysis.verbatim).

Our own files (tests/validation/data/verbatim_c), written the way published models use VERBATIM:
a calcium pool taking cai from the ion in INITIAL (`cai = _ion_cai; carest = _ion_cai;`) and reading
the ion's cai after its SOLVE (before its own write-back), potassium accumulation taking ki and ko it
only WRITEs, a leak scaled by C arithmetic on v (`v_atten = (v + 60.0) / (60.0);`, if/else), a
PROCEDURE with C on its argument and LOCAL (`_la`, `_lb`, `*=`, exp, fabs, pow, `&&`, `!`, printf,
a final `return 0;`), a FUNCTION setting its value `_lf`, and file-level `#include <math.h>` and an
rcsid string. NEURON compiles the C; bridge runs the translation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "verbatim_c"
PROBES = ["soma(0.5).v", "dend(0.5).v", "soma(0.5).cai", "soma(0.5).cabefore_capool", "soma(0.5).carest_capool",
          "dend(0.5).cabefore_capool", "soma(0.5).ki", "soma(0.5).ko", "soma(0.5).ki_start_kacc",
          "soma(0.5).v_atten_vatt", "soma(0.5).level_vatt", "soma(0.5).w_vatt", "dend(0.9).w_vatt"]


@pytest.mark.neuron
@pytest.mark.filterwarnings("ignore:.*VERBATIM printf")
def test_translated_verbatim_matches_neuron():
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "cell.hoc", {"recordings": PROBES}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    diffs = {r.label: r.max_abs for r in result.comparison.recordings}
    # the ion's values in VERBATIM, to round-off of mM values
    for label in ("soma(0.5).cabefore_capool", "soma(0.5).carest_capool", "soma(0.5).ki_start_kacc"):
        assert diffs[label] <= 1e-12, label
    assert diffs["soma(0.5).level_vatt"] <= 1e-12


@pytest.mark.filterwarnings("ignore:.*VERBATIM printf")
def test_the_ion_values_are_the_ones_when_the_block_began():
    """carest is cai0_ca_ion (1e-4 mM), and cabefore (the ion's cai as nrn_state began) lags the pool's cai by
    one step: what the pool wrote back at the previous step."""
    import numpy as np

    import bridge

    hoc = bridge.load_hoc(DATA / "cell.hoc", mechanisms=DATA / "mod")
    traces = bridge.Simulation(hoc.to_model(), record=PROBES).run()
    np.testing.assert_array_equal(np.asarray(traces["soma(0.5).carest_capool"]), 1e-4)
    cai, before = np.asarray(traces["soma(0.5).cai"]), np.asarray(traces["soma(0.5).cabefore_capool"])
    np.testing.assert_array_equal(before[2:], cai[1:-1])
    assert np.abs(np.diff(cai)).max() > 1e-6  # calcium moves: the lag is visible


DECL_PROBES = ["soma(0.5).v", "dend(0.5).v"] + [f"{seg}.{name}_cdecl" for seg in ("soma(0.5)", "dend(0.9)")
                                                for name in ("frac", "quot", "half_v", "steps", "ticks")]


@pytest.mark.neuron
def test_c_locals_and_casts_match_neuron():
    """mod/cdecl.mod: `double x = e, y;`, `int k = (int) x;`, C's integer division and `k += 2.7` on ints (v
    below -50 mV makes them negative: truncation toward zero, not floor), `(double) k / 2`, a FUNCTION's
    value from a C local (`halfint = ret`), a `return 0;` closing the last IF of a PROCEDURE."""
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "decl.hoc", {"recordings": DECL_PROBES}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    diffs = {r.label: r.max_abs for r in result.comparison.recordings}
    for seg in ("soma(0.5)", "dend(0.9)"):  # C ints and their halves: exact
        for name in ("quot", "half_v", "steps", "ticks"):
            assert diffs[f"{seg}.{name}_cdecl"] == 0.0, (seg, name)


def test_c_ints_truncate_toward_zero():
    """The values C gives (NEURON is not needed to know them): 7 / -2 is -3, so `steps` is -3 + -3.5; quot
    takes negative values, and halfint(v) = (int)(v/2) whole numbers of both signs."""
    import numpy as np

    import bridge

    hoc = bridge.load_hoc(DATA / "decl.hoc", mechanisms=DATA / "mod")
    traces = bridge.Simulation(hoc.to_model(), record=DECL_PROBES).run()
    np.testing.assert_array_equal(np.asarray(traces["soma(0.5).steps_cdecl"]), -6.5)
    quot = np.asarray(traces["soma(0.5).quot_cdecl"])
    assert quot.min() == -1.0 and quot.max() > 10
    half = np.asarray(traces["soma(0.5).half_v_cdecl"])
    np.testing.assert_array_equal(half, np.trunc(half))
    assert half.min() < -30 and half.max() > 10


@pytest.mark.neuron
def test_preprocessor_lines_match_neuron():
    """mod/cmacro.mod: an include guard around numeric #defines (one parenthesized, negative), an #if 0 group
    of C bridge could not read, `#if NRN_VECTORIZED` (0: VERBATIM without THREADSAFE), NEURON's version
    macros, NRN_MECHANISM_DATA_IS_SOA and platform macros: NEURON 9.0.2's compiler takes the branches bridge
    takes (scale 1.5, plat 3, level NSTEP / 3 + (v > VHALF))."""
    from bridge.testing import assert_matches_neuron

    probes = ["soma(0.5).v", "soma(0.5).scale_cmacro", "soma(0.5).level_cmacro", "soma(0.5).plat_cmacro"]
    result = assert_matches_neuron(DATA / "macro.hoc", {"recordings": probes}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    diffs = {r.label: r.max_abs for r in result.comparison.recordings}
    for label in probes[1:]:
        assert diffs[label] == 0.0, label


def test_hoc_calls_a_function_with_c_locals():
    """halfint_cdecl(a) from HOC: (int)(a / 2.0), toward zero as C truncates: -35.5 gives -35."""
    from bridge.hoc.session import HocSession

    hoc = HocSession(DATA / "mod", cwd=DATA)
    hoc("create soma\nsoma insert cdecl\nx1 = halfint_cdecl(-71)\nx2 = halfint_cdecl(33.9)")
    assert (hoc.x1, hoc.x2) == (-35.0, 16.0)


CFUNC_PROBES = ["soma(0.5).v", "dend(0.5).v"] + [f"{seg}.{name}_cfunc" for seg in ("soma(0.5)", "dend(0.9)")
                                                 for name in ("scale", "clip", "start")]


@pytest.mark.neuron
def test_c_functions_match_neuron():
    """mod/cfunc.mod: file-level C functions (an empty `void` one defined after the BREAKPOINT that calls it, as
    passiv.mod of ModelDB 7399 does; `static double` helpers with C locals, an int, returns closing if/else
    branches, one calling another) called from C in BREAKPOINT, INITIAL and a PROCEDURE: NEURON 9.0.2's
    compiled C and bridge's FUNCTIONs give the same values; clip takes all three branches of clamp()."""
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "cfunc.hoc", {"recordings": CFUNC_PROBES}, mechanisms=DATA / "mod",
                                   atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    diffs = {r.label: r.max_abs for r in result.comparison.recordings}
    for label in CFUNC_PROBES[2:]:  # clip is v (mV) or a bound near it: the voltage tolerance; scale in [0, 1]
        assert diffs[label] <= (1e-9 if "clip" in label else 1e-12), label


def test_c_functions_take_every_branch():
    """clip_cfunc takes the three branches of clamp() in this run (bridge alone: the values C gives). BREAKPOINT
    computes it at the step's start, so clip[k] comes from v[k - 1]: below -65 mV, -65 + 0.1 * (int)(v / 10);
    above -30 mV, -30 + sigmoid(v, -30); between, v itself."""
    import numpy as np

    import bridge

    hoc = bridge.load_hoc(DATA / "cfunc.hoc", mechanisms=DATA / "mod")
    traces = bridge.Simulation(hoc.to_model(), record=CFUNC_PROBES).run()
    v, clip = np.asarray(traces["soma(0.5).v"])[:-1], np.asarray(traces["soma(0.5).clip_cfunc"])[1:]
    low, high = v < -65, v > -30
    assert low.any() and high.any() and (~low & ~high).any()
    np.testing.assert_array_equal(clip[~low & ~high], v[~low & ~high])
    np.testing.assert_allclose(clip[low], -65 + 0.1 * np.trunc(v[low] / 10), rtol=0, atol=1e-12)
    np.testing.assert_allclose(clip[high], -30 + 1 / (1 + np.exp(-(v[high] + 30) / 5)), rtol=0, atol=1e-12)


def test_c_functions_are_not_hoc_functions():
    """NEURON registers no HOC function for a VERBATIM C function (static C): HOC cannot call sigmoid_cfunc."""
    from bridge.errors import BridgeError
    from bridge.hoc.session import HocSession

    hoc = HocSession(DATA / "mod", cwd=DATA)
    hoc("create soma\nsoma insert cfunc")
    with pytest.raises(BridgeError, match="sigmoid_cfunc is not defined"):
        hoc("x = sigmoid_cfunc(-20, 1)")


@pytest.mark.neuron
def test_c_only_hoc_calls_does_not_stop_a_run():
    """mod/cdead.mod: a PROCEDURE with a C loop (outside the subset) and a FUNCTION calling it, which nothing of
    the run calls: NEURON compiles and never runs that C; bridge runs the mechanism without it."""
    from bridge.testing import assert_matches_neuron

    probes = ["soma(0.5).v", "dend(0.5).v", "soma(0.5).i_cdead"]
    result = assert_matches_neuron(DATA / "dead.hoc", {"recordings": probes}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


@pytest.mark.parametrize("call", ["fill_cdead(3)", "x = filled_cdead(3)"])
def test_hoc_calling_c_bridge_cannot_run_is_refused_there(call):
    """The call raises, naming the C construct and its line (NEURON would run the loop; bridge cannot)."""
    from bridge.errors import BridgeError
    from bridge.hoc.session import HocSession

    hoc = HocSession(DATA / "mod", cwd=DATA)
    hoc("create soma\nsoma insert cdead\nsetdata_cdead(0.5)")
    with pytest.raises(BridgeError, match=r"C bridge cannot run: .*cdead.mod:19:33: .*\(a loop\)"):
        hoc(call)


@pytest.mark.neuron
def test_getarg_in_functions_hoc_calls_matches_neuron():
    """mod/cgetarg.mod: `asin(*getarg(1))` and `*getarg(1) * 2.0 + exp(*getarg(2)) / 3.0` in FUNCTIONs HOC calls
    to set the stimulus and the leaks (getarg.hoc): NEURON 9.0.2 reads HOC's arguments, bridge the parameters."""
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "getarg.hoc", {"recordings": ["soma(0.5).v", "dend(0.5).v"]},
                                   mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


def test_getarg_values_from_hoc():
    from bridge.hoc.session import HocSession

    hoc = HocSession(DATA / "mod", cwd=DATA)
    hoc("create soma\nsoma insert cgetarg\nsoma setdata_cgetarg(0.5)\nx1 = my_asin_cgetarg(0.5)\n"
        "x2 = mix_cgetarg(3, 0)")
    assert hoc.x1 == pytest.approx(0.5235987755982989, abs=1e-15) and hoc.x2 == 6 + 1 / 3


CSWITCH_PROBES = ["soma(0.5).v", "dend(0.5).v"] + [f"{seg}.{name}_cswitch" for seg in ("soma(0.5)", "dend(0.9)")
                                                   for name in ("m", "h", "acc", "tsave")]


@pytest.mark.neuron
@pytest.mark.parametrize("hoc", ["cswitch.hoc", "cswitch_direct.hoc"])
def test_c_switch_and_array_elements_match_neuron(hoc):
    """mod/cswitch.mod: bg.inc's C (ModelDB 7399, 7400, 12631, 52034, 136095): `switch (_lj)` on the int index of
    the FROM loop around it (nocmodl's `{int _lj; for ...`), `case` groups ending in `break;`, elements of GLOBAL
    arrays (`Tau[_lj]`), `if ((Tau[_lj] = e) < mbasetau)`, in a PROCEDURE whose TABLE NEURON builds by running
    the C (cswitch.hoc) or that runs its C every step (cswitch_direct.hoc: usetable_cswitch = 0, which INITIAL
    reads as `usetable`); stacked, negative and default labels, an assignment to a LOCAL compared in an if; h to
    the power hexp_cswitch = 2 in a FROM loop bounded by that GLOBAL: NEURON 9.0.2's compiled C and bridge's
    translation give the same values."""
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / hoc, {"recordings": CSWITCH_PROBES}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    diffs = {r.label: r.max_abs for r in result.comparison.recordings}
    for label in CSWITCH_PROBES[2:]:  # gates in [0, 1] and tsave (ms): round-off; acc is v's function (x = (v + 70)
        # / 20 squared, times 1.25^2: |d acc / dv| < 1 for this run's v): within v's own tolerance
        assert diffs[label] <= (1e-9 if "acc" in label else 1e-11), label


def test_c_switch_takes_every_group():
    """acc_cswitch (bridge alone) is the sum C's switch gives over k = -1..4 for this run's v: each group's
    arithmetic, the default for k = 1 and k = 4, both branches of the case-0 comparison over the run."""
    import numpy as np

    import bridge

    hoc = bridge.load_hoc(DATA / "cswitch.hoc", mechanisms=DATA / "mod")
    traces = bridge.Simulation(hoc.to_model(), record=["soma(0.5).v", "soma(0.5).acc_cswitch",
                                                       "soma(0.5).tsave_cswitch"]).run()
    v, acc = np.asarray(traces["soma(0.5).v"]), np.asarray(traces["soma(0.5).acc_cswitch"])
    tsave = np.asarray(traces["soma(0.5).tsave_cswitch"])
    x = (v[1:] + 70) / 20  # mix(v) in nrn_state: the v of the step (recorded with it)
    want = np.full_like(x, 0.5)
    q = x * x
    want = np.where(1.5 < q, want + q, want - q)
    want += np.where(tsave[1:] >= 5, 1.0, -2.0)
    want = want * 1.25 + 2
    want = want * 1.25 + 3
    want += np.where(tsave[1:] >= 5, 1.0, -2.0)
    np.testing.assert_allclose(acc[1:], want, rtol=0, atol=1e-12)
    assert (q > 1.5).any() and (q <= 1.5).any()
