"""Where HOC may have let go of a reference: a counter the lifetimes pass reads (`bridge.hoc.lifetimes`).

NEURON destroys an object the moment its reference count reaches 0 (src/oc/hoc_oop.cpp `hoc_dec_refcount`);
bridge finds those objects by a pass over everything HOC holds. The pass at each fadvance() runs only when this
counter moved since the last one: it moves wherever a reference that can matter leaves a place the pass
walks (an objref element overwritten or freed, a procedure frame holding objects popped, a namespace name
declared again, a built-in object that holds objects changed by a method or member, or dying) and wherever a
template object or point process is made (it may be held by nothing). The counter is shared by every session
of the process: a move in another session costs a pass, never a missed one.

A value "matters" when losing a reference to it can change a template object's or point process's count:
it is one, or it may refer to one (an objref variable holding one, a List, a NetCon, ...). Classes say they
cannot with `lifetime_relevant = False` (numbers' variables, sections, Vector, Matrix, File, GUI stand-ins);
anything else is assumed to matter.
"""

from __future__ import annotations

from typing import Any


class _Drops:
    count = 0


def note() -> None:
    """A reference that may matter was dropped (or an object that may be unheld was made)."""
    _Drops.count += 1


def count() -> int:
    """How many times `note` was called in this process."""
    return _Drops.count


def matters(value: Any) -> bool:
    """Whether losing a reference to `value` can change a template object's or point process's count."""
    if value is None or isinstance(value, (str, float, int)):
        return False
    if isinstance(value, (list, tuple)):
        return any(map(matters, value))
    if isinstance(value, dict):
        return any(map(matters, value.values()))
    return bool(getattr(value, "lifetime_relevant", True))


class RefList(list):
    """An objref variable's elements (`bridge.hoc.values.ObjVar.data`): every way a list loses an element
    calls `note` when the element matters."""

    def __setitem__(self, i, value):
        old = list.__getitem__(self, i)
        if (any(map(matters, old)) if isinstance(i, slice) else (old is not value and matters(old))):
            note()
        list.__setitem__(self, i, value)

    def __delitem__(self, i):
        old = list.__getitem__(self, i)
        if matters(old if isinstance(i, slice) else [old]):
            note()
        list.__delitem__(self, i)

    def pop(self, i=-1):
        value = list.pop(self, i)
        if matters(value):
            note()
        return value

    def remove(self, value):
        list.remove(self, value)
        if matters(value):
            note()

    def clear(self):
        if matters(list(self)):
            note()
        list.clear(self)

    def __imul__(self, n):
        if n < 1 and matters(list(self)):
            note()
        return list.__imul__(self, n)


def frame_matters(frame) -> bool:
    """Whether popping `frame` (a `bridge.hoc.values.Frame`) drops a reference that matters: its arguments,
    its locals (objref locals' elements) and its object."""
    return frame.obj is not None or matters(frame.args) or matters(frame.locals)


class FrameStack(list):
    """The interpreter's procedure frames (`Interpreter.frames`): a frame that leaves calls `note` when it held
    a reference that matters."""

    def pop(self, i=-1):
        frame = list.pop(self, i)
        if frame_matters(frame):
            note()
        return frame

    def __delitem__(self, i):
        note()
        list.__delitem__(self, i)

    def remove(self, value):
        note()
        list.remove(self, value)

    def clear(self):
        note()
        list.clear(self)
