"""`vec.record(&var)` of a HOC variable (ModelDB 144482 records `ltp`, which its own `proc advance()` sets).

NEURON records the variable's value as it stands when each sample is taken (measured in NEURON 9.0.2): at
finitialize() after the type-1 FInitializeHandlers (fadvance.cpp nrn_finitialize), again from scratch at
frecord_init(), and at the end of each fadvance() (nrn_fixed_step), before the rest of a model's advance()
runs. Only HOC changes a HOC variable, and HOC runs between the steps, so the value of a step is the one HOC
left when the step was asked for: one sample per fadvance(), and a continuerun() run in one piece repeats
the value its steps started with. The forms with Dt or a time Vector are refused, and so is a run whose
NetCon.record statements (HOC run at spikes, between the steps) could change the variable.
"""

from __future__ import annotations

import weakref

from bridge.hoc.values import ElemRef, NumVar


def _records(model) -> list:
    return model.hoc_records


def is_hoc_variable(ref) -> bool:
    """Whether `&...` points at a HOC variable (a `double` or an undeclared scalar), not a simulation variable."""
    return getattr(ref, "what", None) is None and isinstance(ref, ElemRef) and isinstance(ref.var, NumVar)


def any_records(model) -> bool:
    """Whether a live Vector records a HOC variable."""
    return any(vec() is not None and getattr(vec(), "_hoc_ref", None) is not None for vec, _ in _records(model))


def start(interp, vec, ref, loc) -> None:
    """`vec.record(&var)`: `vec` records the HOC variable behind `ref` from the next finitialize() on."""
    recs = _records(interp.model)
    recs[:] = [(v, r) for v, r in recs if v() is not None and v() is not vec]
    recs.append((weakref.ref(vec), ref))
    vec._hoc_ref = ref


def stop(model, vec) -> None:
    """`vec` records something else now (another record() call)."""
    recs = _records(model)
    recs[:] = [(v, r) for v, r in recs if v() is not None and v() is not vec]
    vec._hoc_ref = None


def _live(model):
    for v, ref in _records(model):
        vec = v()
        if vec is not None and getattr(vec, "_hoc_ref", None) is ref:
            yield vec, ref


def restart(interp, loc) -> None:
    """finitialize() / frecord_init(): each recording Vector holds the variable's value now."""
    for vec, ref in _live(interp.model):
        vec._reserve(interp, 1, loc)
        vec.data = [float(ref.get())]


def sample(interp, steps: int, loc) -> None:
    """`steps` fixed steps were asked for: each recording Vector gains the variable's value `steps` times."""
    if steps <= 0:
        return
    for vec, ref in _live(interp.model):
        n = len(vec.data) + steps
        vec._reserve(interp, n, loc, made=steps)  # charges the n elements' memory
        vec.data.extend([float(ref.get())] * steps)  # in place: one fadvance() at a time stays linear
