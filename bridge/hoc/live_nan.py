"""Where and when HOC's live run became NaN: the first variable, its place and the step, as `Simulation` says it.

The live run's step (`bridge.solver.stepper.make_advance`) only asks, at the end of each chunk of steps,
whether the state holds a NaN (one reduction per chunk, nothing per step). When it does, the failing chunk is
run again from the state it started from, with the same parameters and `Vector.play` values, by the same step
with `watch` on: each step then finds the first NaN as `bridge.solver.integrate.integrate` does (where NaN
entered v from the tree matrix, mechanism variables in type order, ion variables, v). The message is
`Simulation`'s (`bridge.model.Simulation.explain_nan`): "m_hh became NaN at soma(0.5), t = 2.025 ms (step 81
from t = 0 ms, HOC's live run); check parameters and dt". NEURON itself goes on computing with the NaN (a
mechanism's sqrt or log of a negative number is C's NaN, not an error): the values HOC reads print as -nan.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from bridge.errors import SimulationError
from bridge.solver.integrate import first_nan, param_watch, state_watch
from bridge.solver.stepper import make_advance


def nan_error(sim: Any, frozen: Any, setters: tuple, params: dict, state: dict, steps: int, half_dt: Any,
              play: tuple, t0: float, steps_before: int, plays: tuple = ()) -> SimulationError:
    """The error of a chunk of the live run that left a NaN in the state: `state` is the state the chunk
    started from, `steps` its steps, `params`, `half_dt` and `play` what it ran with (`bridge.hoc.live.LiveRun
    ._advance`), `sim` the frozen model's `Simulation` (`Frozen.simulation`), `setters` the plays' places;
    `t0` [ms] is the first recorded sample's time (finitialize's or frecord_init's) and `steps_before` the
    steps since it before the chunk; `plays` the setters of the plays on the event queue."""
    locate = make_advance(sim.plan, frozen.secondorder, sim._record, len(sim.labels), setters=setters,
                          events=sim.events, cj_order=frozen.cj_order, watch=True, plays=plays)
    _, ts, _, (step, index) = locate(params, state, steps, np.float64(frozen.dt), half_dt, play)
    step, index = int(step), int(index)
    if step < 0:  # the chunk's end check and the per-step check are the same test (first_nan): not reached
        return SimulationError(f"the state became NaN in HOC's live run before t = {float(np.asarray(ts)[steps - 1]):g}"
                               " ms, and running the steps again did not find it")
    t = float(state["t"]) if step == 0 else float(np.asarray(ts)[step - 1])
    watch = tuple(w for w, _ in state_watch(sim.plan, state, jnp.zeros(jnp.shape(state["v"]), bool)))
    pnamed = param_watch(params)
    phit, pindex = first_nan(pnamed)
    param = int(pindex) if bool(phit) else -1
    name, where, hint = sim.explain_nan(watch, index, tuple(w for w, _ in pnamed), param)
    total = steps_before + step
    when = "at the run's start" if total == 0 else f"step {total} from t = {t0:g} ms"
    return SimulationError(f"{name} became NaN at {where}, t = {t:g} ms ({when}, HOC's live run); {hint}")
