"""NEURON's old current stimulus: `fstim(n)`, `fstim(i, loc, delay, duration, amp)`, `fstimi(i)`
(src/nrnoc/fstim.cpp).

`fstim(n)` frees every stimulus and allocates n unplaced ones; `fstim(i, loc, delay, duration,
amp)` places stimulus i in the currently accessed section at loc; `fstimi(i)` is the current
[nA] of stimulus i at the present t. The placed stimuli become `SectionTree.fstims`, which the
solver applies as NEURON does (`bridge.solver.fstim`). A stimulus whose section is deleted is
dropped (`stim_record`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.hoc.arguments import number_arg
from bridge.hoc.values import Sec
from bridge.morphology.tree import FStim

MAX_FSTIM = 10000  # fstim.cpp: chkarg(1, 0., 10000.)


@dataclass
class Slot:
    """One of fstim's stimuli; `sec` None until placed."""

    sec: Sec | None = None
    loc: float = 0.0
    delay: float = 1e20
    duration: float = 0.0
    amp: float = 0.0


def _chkarg(interp, args, i: int, low: float, high: float, loc, name: str) -> float:
    """NEURON's `chkarg`: argument i (0-based) within [low, high]."""
    x = number_arg(interp, args, i, loc, name)
    if not low <= x <= high:
        raise interp.error(f"{name}: arg {i + 1} out of range", loc)
    return x


def _slots(interp) -> list[Slot]:
    return interp.model.fstim_slots


def _sync(interp) -> None:
    """The placed stimuli of live sections, in index order, into the model's tree."""
    interp.model.tree.fstims = [FStim(s.sec.name, s.loc, s.delay, s.duration, s.amp)
                                for s in _slots(interp) if s.sec is not None and s.sec.alive]
    interp.model.mutations += 1


def fstim(interp, args, loc):
    i = int(_chkarg(interp, args, 0, 0.0, MAX_FSTIM, loc, "fstim"))
    slots = _slots(interp)
    if len(args) > 1:
        if i >= len(slots):
            raise interp.error("fstim: index out of range", loc)
        x = _chkarg(interp, args, 1, 0.0, 1.0, loc, "fstim")
        delay = _chkarg(interp, args, 2, 0.0, 1e21, loc, "fstim")
        duration = _chkarg(interp, args, 3, 0.0, 1e21, loc, "fstim")
        amp = number_arg(interp, args, 4, loc, "fstim")
        slots[i] = Slot(interp.model.current(interp, loc), x, delay, duration, amp)
    else:
        slots[:] = [Slot() for _ in range(i)]
    _sync(interp)
    return 0.0


def fstimi(interp, args, loc):
    slots = _slots(interp)
    i = int(_chkarg(interp, args, 0, 0.0, len(slots) - 1.0, loc, "fstimi"))
    s = slots[i]
    t = interp.model.globals["t"]
    if t < s.delay - 1e-9 or t > s.delay + s.duration - 1e-9:
        return 0.0
    return s.amp


def functions() -> dict:
    return {"fstim": fstim, "fstimi": fstimi}
