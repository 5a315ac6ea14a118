"""NEURON's `Pointer` (src/ivoc/ocpointer.cpp): `p = new Pointer(&var)` holds the address of a variable;
`p.val` reads and assigns it (NEURON's LinearCircuit library keeps its node initial values this way,
lib/hoc/lincir/lincir1.hoc statemap). `new Pointer("name")`, `p.s` and `p.assign(...)` (which runs the
Pointer's statement) are refused."""

from __future__ import annotations

from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import FuncRef, Ref


class Pointer(BuiltinObject):
    """`new Pointer(&var)`: `.val` is the variable."""

    cls = "Pointer"

    def __init__(self, interp, args, loc):
        if len(args) != 1 or not isinstance(args[0], Ref):
            raise interp.refuse("new Pointer(...): only the form new Pointer(&var) is supported (a name, and a "
                                "statement run on assign, are not)", loc)
        super().__init__(interp)
        self.ref = args[0]

    def hoc_ref(self, interp, name, indices, loc):
        if name == "val" and not indices:
            return FuncRef(self.ref.get, lambda v: self.ref.set(float(v)))
        return super().hoc_ref(interp, name, indices, loc)
