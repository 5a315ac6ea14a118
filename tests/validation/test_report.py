"""validation.report: the terminal table, the markdown file and the PNG plots (no NEURON: runs made up here)."""

from __future__ import annotations

import numpy as np

from bridge.morphology.tree import SectionTree
from bridge.solver.record import probe_label
from validation.case import Case
from validation.compare import compare_runs
from validation.outcome import RunOutput
from validation.report import markdown, node_errors, table, write_report
from validation.suite import CaseResult

SETTINGS = {"tstop": 10.0, "dt": 0.025, "v_init": -65.0, "celsius": 6.3, "secondorder": 0}
T = np.arange(401) * 0.025


def _tree() -> SectionTree:
    tree = SectionTree()
    tree.section("soma", L=20, diam=20)
    tree.section("dend", L=200, diam=2, nseg=3)
    tree.connect("dend", "soma", 1.0)
    return tree


def _result(name: str, error: float, spikes_bridge=(3.0,), spikes_neuron=(3.0,)) -> CaseResult:
    tree = _tree()
    labels = [probe_label("soma", 0.5)] + [probe_label("dend", (j + 0.5) / 3) for j in range(3)]
    geo = {"soma": {"area": [1256.6], "ri": [0.03]}, "dend": {"area": [418.9] * 3, "ri": [1.0] * 3}}

    def trace(times):
        v = np.full_like(T, -65.0)
        for ts in times:
            v = v + 100 * np.exp(-((T - ts) / 0.3) ** 2)
        return v

    theirs = np.stack([trace(spikes_neuron)] * 4, axis=1)
    ours = np.stack([trace(spikes_bridge)] * 4, axis=1) + error * np.arange(1, 5)
    neuron = RunOutput("NEURON", T, labels, theirs, named=labels[:2], geometry=geo, settings=SETTINGS,
                       load_seconds=0.5, run_seconds=0.25)
    bridge = RunOutput("bridge", T, labels, ours, named=labels[:2], geometry=geo, settings=SETTINGS,
                       load_seconds=1.0, run_seconds=2.0, tree=tree)
    case = Case(name, tree=tree)
    cmp = compare_runs(bridge, neuron, case.tolerance, -20.0)
    return CaseResult(case, "pass" if cmp.passed else "fail", cmp, bridge, neuron)


def _results() -> list[CaseResult]:
    ok = _result("good cell", 1e-12)
    bad = _result("broken port", 1e-3, spikes_bridge=(3.0, 7.0))
    err = CaseResult(Case("missing", tree=_tree()), "error",
                     error="NEURON run of case 'missing' failed:\nNEURON: no section 'axon' in NEURON")
    return [ok, bad, err]


def test_table_has_one_row_per_case_with_verdict_numbers_and_reason():
    text = table(_results())
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["case", "result"]
    good = next(line for line in lines if line.startswith("good cell"))
    # two named v recordings, one spike each
    assert "PASS" in good and "4.00e-12" in good and "2/2" in good
    bad = next(line for line in lines if line.startswith("broken port"))
    assert "FAIL" in bad and "1.00e+02" in bad and "4/2" in bad  # the extra spike dominates max |dV|
    assert "spikes in bridge" in bad and "more)" in bad  # the first reason, and how many others
    err = next(line for line in lines if line.startswith("missing"))
    assert "ERROR" in err and "no section 'axon'" in err
    assert lines[-1] == "1/3 cases passed"


def test_columns_line_up():
    lines = table(_results()).splitlines()[:5]
    starts = [line.index("max |dV|") for line in lines[:1]]
    assert all(len(line) >= starts[0] for line in lines)
    # the "result" column starts at the same place in every row
    col = lines[0].index("result")
    assert all(line[col:col + 4] in ("resu", "----", "PASS", "FAIL", "ERRO") for line in lines)


def test_markdown_report_and_plots(tmp_path):
    results = _results()
    path = write_report(results, tmp_path / "out")
    text = path.read_text()
    assert path.name == "report.md"
    assert "1/3 cases passed." in text
    assert "| good cell | PASS |" in text and "| broken port | FAIL |" in text
    assert "## broken port: FAIL" in text and "Failed because:" in text
    assert "NEURON: no section 'axon'" in text
    for stem in ("good_cell", "broken_port"):
        for kind in ("traces", "diff", "morph"):
            png = tmp_path / "out" / f"{stem}-{kind}.png"
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
            assert f"]({png.name})" in text
    assert not list((tmp_path / "out").glob("missing*.png"))


def test_report_without_plots(tmp_path):
    path = write_report(_results(), tmp_path, with_plots=False)
    assert not list(tmp_path.glob("*.png"))
    assert "![" not in path.read_text()


def test_error_map_puts_each_segment_error_on_its_node():
    r = _result("map", 1e-12)
    errors = node_errors(r)
    from bridge.morphology.nodes import node_layout

    lay = node_layout(r.bridge.tree)
    np.testing.assert_allclose(errors[lay.segment_nodes("dend")], r.comparison.segment_dv["dend"], rtol=0)
    np.testing.assert_allclose(errors[lay.segment_nodes("soma")], r.comparison.segment_dv["soma"], rtol=0)
    assert np.count_nonzero(errors) == 4


def test_markdown_lists_states_and_named_recordings_only():
    text = markdown([_result("m", 0.0)])
    assert "`soma(0.5).v`" in text and "`dend(0.16666666666666666).v`" in text
    assert "plus v at 2 more segments" in text


def test_a_plot_that_cannot_be_drawn_is_named_in_the_report(tmp_path):
    r = _result("odd", 0.0)
    r.bridge.tree = SectionTree()  # no sections: the error map cannot be drawn
    text = write_report([r], tmp_path).read_text()
    assert "*morph plot failed:" in text
    assert (tmp_path / "odd-traces.png").exists() and not (tmp_path / "odd-morph.png").exists()


def test_a_chaotic_case_is_counted_apart_with_its_horizon():
    from validation.suite import verdict

    ok, bad, err = _results()
    ok.comparison.horizon, ok.comparison.horizon_why, ok.comparison.horizon_dv = 5.0, "a spike lost", 1e-12
    ok.comparison.roundoff_dv = 80.0
    assert not ok.comparison.passed and ok.comparison.chaotic and verdict(ok.comparison) == "chaotic"
    assert verdict(bad.comparison) == "fail"
    ok.status = verdict(ok.comparison)
    text = table([ok, bad, err])
    assert "CHAOTIC" in text and "to t_h = 5 ms (50.0%) of 10 ms" in text
    assert text.splitlines()[-1] == "0/3 cases passed, 1 chaotic (matched NEURON up to its own reproducibility horizon)"
    md = markdown([ok])
    assert "## good cell: CHAOTIC" in md and "judged before t_h = 5 ms only (a spike lost)" in md
