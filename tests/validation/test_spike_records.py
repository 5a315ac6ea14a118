"""`bridge validate` compares the spike times of the model's recorded NetCon sources (validation.spikes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bridge.testing import assert_matches_neuron
from validation.spikes import compare_spike_records

RING = Path(__file__).resolve().parents[1] / "hoc" / "netcon_data" / "ring.hoc"


def test_compare_spike_records_names_the_first_difference():
    rows, reasons = compare_spike_records({"a": [1.0, 2.0, 3.0], "b": [5.0]}, {"a": [1.0, 2.5, 3.0], "b": [5.0, 9.0]},
                                          1e-9)
    assert [r.label for r in rows] == ["a", "b"]
    assert "spike 1: bridge 2.0 ms, NEURON 2.5 ms" in reasons[0]
    assert "spike 1: only in NEURON at 9.0 ms" in reasons[1]
    rows, reasons = compare_spike_records({"a": [1.0]}, {"a": [1.0 + 1e-12]}, 1e-9)
    assert not reasons and rows[0].max_dt == pytest.approx(1e-12)
    _, reasons = compare_spike_records({"a": [1.0]}, {}, 1e-9)
    assert reasons == ["spike record a: recorded only by bridge"]


@pytest.mark.neuron
def test_validate_compares_ring_spikes(tmp_path):
    model = tmp_path / "ring"
    model.mkdir()
    shutil.copy(RING, model / "init.hoc")
    result = assert_matches_neuron(model, out=tmp_path / "out")
    rows = result.comparison.spike_records
    assert len(rows) == 12 and sum(r.count_neuron for r in rows) > 12
    assert all(r.count_bridge == r.count_neuron and r.max_dt <= 1e-9 for r in rows)
    assert "spike record (NetCon source)" in (tmp_path / "out" / "report.md").read_text()


@pytest.mark.neuron
def test_validate_finds_a_recorded_source_whose_netcon_the_model_dropped(tmp_path):
    """A chain, not a ring: the last cell's threshold NetCon was only handed to pc.cell() (as netparmpi.hoc's
    register_cell does) and no NetCon leaves it, yet spike_record(-1) records it (its PreSyn lives on in
    NEURON). NEURON's side finds it through a NetCon of its own at that node (here the section's end), which shares the
    PreSyn."""
    model = tmp_path / "chain"
    model.mkdir()
    text = RING.read_text().replace("for i = 0, ncell - 1 if (pc.gid_exists(i)) {",
                                    "for i = 1, ncell - 1 if (pc.gid_exists(i)) {")
    text = text.replace("nc = new NetCon(&v(0.5), nil)", "nc = new NetCon(&v(1), nil)")  # at the section's end
    assert text.count("&v(1)") == 1 and "for i = 1," in text
    (model / "init.hoc").write_text(text)
    result = assert_matches_neuron(model)
    rows = result.comparison.spike_records
    assert len(rows) == 12
    assert all(r.count_bridge == r.count_neuron and r.max_dt <= 1e-9 for r in rows)
    assert any(r.label == "RingCell[11].soma(1).v" and r.count_neuron > 0 for r in rows)
