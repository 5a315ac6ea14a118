"""POINTER variables connected with HOC's `setpointer`, run against NEURON 9.

A gap junction as published models build it: two POINT_PROCESS halves `i = g*(v - vgap)`,
each with `POINTER vgap` aimed at the other cell's v (tests/validation/data/gap_pointer, our
own files). NEURON does not put the coupling in the matrix (the POINTER is read at the step's
start, in nrn_cur, so the other cell's v is explicit); bridge does the same, and the match to
round-off confirms it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bridge

DATA = Path(__file__).parent / "data" / "gap_pointer"


@pytest.mark.neuron
@pytest.mark.parametrize("hoc", ["cell.hoc", "density.hoc", "sense.hoc", "moved.hoc"])
def test_pointers_match_neuron(hoc):
    """cell.hoc: the gap junction pair (POINTERs to the other cell's v). density.hoc: gap junctions
    as a density mechanism, each segment's POINTER aimed at another place. sense.hoc: one point
    process whose POINTERs read another section's cai (a calcium pool's), soma's m_hh (a STATE)
    and a segment's gbar_calt (a RANGE PARAMETER); aiming any one of them at another variable
    moves soma's v by 0.7 to 98 mV, so each is checked far above the tolerance. moved.hoc: a half
    connected, then moved to another section with loc(): its POINTER keeps its target."""
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / hoc, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


def test_the_pointer_carries_the_other_cells_voltage():
    # cell b (pas only, no stimulus) leaves rest only through the gap junction
    hoc = bridge.load_hoc(DATA / "cell.hoc", mechanisms=DATA / "mod")
    sim = bridge.Simulation(hoc.to_model(), record=["a(0.5).v", "b(0.8).v"])
    traces = sim.run(sim.params())
    assert float(traces["a(0.5).v"].max()) > 0  # a fires
    assert float(traces["b(0.8).v"].max()) > -60  # and b follows it through vgap


def test_density_pointers_carry_the_other_cells_voltage():
    hoc = bridge.load_hoc(DATA / "density.hoc", mechanisms=DATA / "mod")
    sim = bridge.Simulation(hoc.to_model(), record=["b(0.5).v"])
    assert float(sim.run(sim.params())["b(0.5).v"].max()) > -60
