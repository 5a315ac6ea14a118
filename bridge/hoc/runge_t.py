"""HOC's t after fixed steps of a model with METHOD runge mechanisms (bridge.nmodl.analysis.runge).

NEURON's t is the thread's t: each step adds dt/2 twice (fadvance.cpp), and each runge call in nrn_state
moves it by `((t + h/2) + h/2) - h` (runge.hpp; h = dt, dt/2 with secondorder), once per instance and runge
SOLVE. HOC reads that t after the step, and stdrun's loops (`while (t < tstop - dt/2)`) count steps with it,
so bridge's HOC t takes the same round trips as the simulated one (`bridge.solver.runge_time`).
"""

from __future__ import annotations

from bridge.solver.runge_time import after_runge_float


def round_trips(tree, catalog) -> int:
    """The runge calls of one step of the SectionTree `tree` (mechanisms from `catalog`): per density
    mechanism its segments, per point process one, times the mechanism's runge SOLVEs."""
    solves: dict[str, int] = {}

    def of(name: str) -> int:
        if name not in solves:
            solves[name] = getattr(catalog.get(name), "runge_solves", 0) if name in catalog else 0
        return solves[name]

    total = 0
    for sec in tree.sections.values():
        total += sum(sec.nseg * of(name) for name in sec.mechanisms)
    total += sum(of(pp.name) for pp in tree.point_processes)
    return total


def frozen_round_trips(frozen, catalog) -> int:
    """`round_trips` of a frozen model (bridge.hoc.live.Frozen), counted once per frozen model."""
    if frozen.runge_trips is None:
        frozen.runge_trips = round_trips(frozen.tree, catalog)
    return frozen.runge_trips


def step_t(t: float, dt: float, secondorder: float, trips: int) -> float:
    """HOC's t after one fixed step from t [ms]: t += dt/2 twice, then `trips` runge round trips."""
    half = 0.5 * dt
    t = (t + half) + half
    return after_runge_float(t, half * 0.5 if secondorder else half, trips) if trips else t
