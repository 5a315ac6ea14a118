"""continuerun() for a model that redefines stdrun's `proc step()` or `proc advance()`.

stdrun.hoc's continuerun is `while (t < tstop - dt/2 && stoprun == 0) step()`, its `step()` is
`for i=1,nstep_steprun advance()` and its `advance()` is `fadvance()` (nrn/share/lib/hoc/stdrun.hoc,
continuerun, step, advance). A model that redefines `advance()` (ModelDB 144482: fadvance(), then
`kin.trans = ampasyn.C` and running maxima of a state, each step) changes the model between steps, so
bridge's one-piece continuerun would give other numbers: here the loop runs in HOC, the model's own
procedures called step by step, each fadvance() a one-step request of the live run (`bridge.hoc.live`).
"""

from __future__ import annotations

import math

from bridge.hoc.values import Proc

OWN = ("step", "advance")  # stdrun procedures whose redefinition continuerun must call


def redefined(interp) -> bool:
    """Whether the model defined its own top-level `proc step()` or `proc advance()`."""
    return any(isinstance(interp.top.get(name), Proc) for name in OWN)


def continuerun(interp, call, t_end: float, loc) -> float:
    """stdrun's continuerun loop to `t_end` [ms] with the model's own step()/advance(), through
    `call(interp, name, args, loc)` (the model's procedure, else bridge's); returns t [ms] after it.
    The loop is bounded by `Limits.max_steps` fadvance()s (the live run counts the steps it simulates), and
    each step's HOC work by `Limits.max_step_statements` beyond the statement budget (`Interpreter.allow_step`):
    the steps are the ones the run asked for (tstop / dt), so the HOC work grows with the simulated time as in
    NEURON, while an endless loop in a step still ends."""
    g = interp.model.globals
    g["stoprun"] = 0.0
    ts = t_end - g["dt"] / 2
    own_step = isinstance(interp.top.get("step"), Proc)
    steps = 0
    while g["t"] < ts and g["stoprun"] == 0:
        if steps > interp.limits.max_steps:
            raise interp.error(f"continuerun({t_end:g}): more than {interp.limits.max_steps} steps of the model's "
                               "own step()/advance(); Limits.max_steps", loc)
        if own_step:
            interp.allow_step(loc)
            call(interp, "step", [], loc)
        else:
            n = min(max(math.floor(g["nstep_steprun"]), 0), interp.limits.max_steps + 1)
            for _ in range(n):  # `for i=1,nstep_steprun advance()`
                interp.allow_step(loc)
                call(interp, "advance", [], loc)
            steps += n
        steps += 1
    return g["t"]
