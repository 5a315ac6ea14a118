"""Built-in objects of NEURON as HOC sees them: `BuiltinObject` (a name like `Vector[0]`,
members and methods) and the registry that numbers them.

The classes are `bridge.hoc.vector` (Vector), `bridge.hoc.lists` (List, SectionList,
SectionRef), `bridge.hoc.point_process` (IClamp and every POINT_PROCESS of the mechanism
folder), `bridge.hoc.strings`, `bridge.hoc.datafiles` (File), `bridge.hoc.gui` (GUI classes,
accepted without doing anything), `bridge.hoc.import3d_gui`, `bridge.hoc.pointman` and
`bridge.hoc.classes` (CVode, ParallelContext, and the table `new Name()` looks in).
"""

from __future__ import annotations

import weakref

from bridge.hoc.ref_drops import note
from bridge.hoc.values import FuncRef


class ObjectRegistry:
    """The built-in objects of one session, by class: `Vector[3]` is the fourth Vector made.
    A dead object is gone, as in NEURON (and its memory with it: a loop of
    `v = new Vector(n)` holds one Vector, not all of them)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}  # class name -> objects made so far
        self.live: dict[str, weakref.WeakValueDictionary] = {}  # class name -> index -> live object

    def register(self, obj: BuiltinObject) -> int:
        """The index of a new object of class `obj.cls`."""
        index = self.counts.get(obj.cls, 0)
        self.counts[obj.cls] = index + 1
        self.live.setdefault(obj.cls, weakref.WeakValueDictionary())[index] = obj
        return index

    def find(self, cls: str, index: int) -> BuiltinObject | None:
        """The live object `cls[index]`, or None."""
        live = self.live.get(cls)
        return live.get(index) if live is not None else None


class BuiltinObject:
    """Base of built-in objects: a name like `Vector[0]`, members (`hoc_ref`) and methods
    (`hoc_call`); a method `m_<name>(interp, args, loc)` is HOC's `obj.name(args)`."""

    cls = "Object"
    # whether its fields may refer to template objects or point processes (walked by bridge.hoc.lifetimes; a
    # method or member may drop one), and whether losing a reference to it may matter (it holds one, or it is
    # a point process): bridge.hoc.ref_drops. False where a class holds numbers, text or GUI stand-ins only
    holds_hoc_objects = True
    lifetime_relevant = True

    def __init__(self, interp):
        self.index = interp.objects.register(self)

    def __del__(self) -> None:
        if self.lifetime_relevant:  # what it held loses this reference (bridge.hoc.ref_drops)
            note()

    def __str__(self) -> str:
        return f"{self.cls}[{self.index}]"

    __repr__ = __str__

    def hoc_ref(self, interp, name, indices, loc):
        """`obj.name[indices]`: a member to read or assign."""
        method = getattr(self, "m_" + name, None)
        if method is not None:  # as NEURON: `list.count`, `vec.size` call with no arguments, and
            # `list.object[1]` with the indices as arguments (hoc_oop.cpp hoc_object_component)
            def read_only(value):
                raise interp.error(f"{self.cls}.{name} is a method; it cannot be assigned", loc)

            args = [float(i) for i in indices or ()]
            return FuncRef(lambda: method(interp, args, loc), read_only)
        raise interp.error(f"{self.cls} has no member {name} that bridge supports", loc)

    def hoc_call(self, interp, name, args, loc):
        """`obj.name(args)`."""
        method = getattr(self, "m_" + name, None)
        if method is None:  # (a Vector method a library's C installs is named: bridge.hoc.verbatim_library)
            why = interp.model.catalog.vector_method_in_c(name) if self.cls == "Vector" else None
            raise interp.refuse(why or f"{self.cls}.{name}() is not supported by bridge", loc)
        return method(interp, args, loc)
