"""NEURON's FInitializeHandler: HOC statements finitialize() runs at four points.

`new FInitializeHandler("stmt")`, `new FInitializeHandler(type, "stmt")` and
`new FInitializeHandler(type, "stmt", obj)` (NEURON's src/nrniv/finithnd.cpp, the order in
src/nrnoc/fadvance.cpp `nrn_finitialize`; checked against NEURON 9.0.2 by printing):

- type 3: first of all (t = 0, before v is set);
- type 0: after v is set to v_init, before the mechanisms' INITIAL blocks;
- type 1 (the default): after the INITIAL blocks, before the currents are evaluated and the
  recorded Vectors take their t = 0 value: what it assigns (v, a STATE) is what t = 0 records;
- type 2: last, after the t = 0 recording: what it assigns starts the first step only.

Each type's handlers run in the order they were made. Without `obj` the statement runs at top
level (HocCommand), with it in `obj`'s context. A handler whose object is gone (its objref
assigned something else) runs no more, as in NEURON, where it is unreferenced and deleted.
"""

from __future__ import annotations

import weakref

from bridge.errors import UnsupportedFeature
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import Frame, HocObject, StrVar, is_number


class FInitializeHandler(BuiltinObject):
    """One handler: its `type` (0..3), HOC `statement` and the object it runs in (None: top level)."""

    cls = "FInitializeHandler"

    def __init__(self, interp, args, loc):
        if args and is_number(args[0]):
            kind = float(args[0])
            if kind not in (0.0, 1.0, 2.0, 3.0):
                raise interp.error(f"FInitializeHandler type {kind:g} must be 0, 1, 2 or 3", loc)
            rest = args[1:]
        else:
            kind, rest = 1.0, args
        if not rest or not isinstance(rest[0], (str, StrVar)):
            raise interp.refuse("new FInitializeHandler(...) needs a HOC statement string (a Python callable "
                                "is not supported)", loc)
        obj = rest[1] if len(rest) > 1 else None
        if obj is not None and not isinstance(obj, HocObject):
            raise interp.refuse(f"FInitializeHandler(type, stmt, {obj}): a statement run in a built-in object's "
                                "context is not supported", loc)
        super().__init__(interp)
        self.type = int(kind)
        self.statement = str(rest[0].value if isinstance(rest[0], StrVar) else rest[0])
        self.obj = obj
        self.loc = loc
        handlers(interp.model).append(weakref.ref(self))

    def m_allprint(self, interp, args, loc):
        for kind in range(4):
            interp.write(f"Type {kind} FInitializeHandler statements\n")
            for h in alive(interp.model, kind):
                interp.write(f"\t{h.obj}.{h.statement}\n" if h.obj is not None else f"\t{h.statement}\n")
        return 0.0

    def run(self, interp) -> None:
        from bridge.hoc.loader import run_text

        text = "{" + self.statement + "\n}"
        name = f"<FInitializeHandler at {self.loc}>"
        if self.obj is not None:
            run_text(interp, text, name, obj=self.obj)
            return
        interp.frames.append(Frame("(FInitializeHandler at top level)", [], None, self.loc))
        try:
            run_text(interp, text, name)
        finally:
            interp.frames.pop()


def handlers(model) -> list:
    """The session's handlers (weak references, in the order they were made)."""
    return model.finit_handlers


def alive(model, kind: int) -> list[FInitializeHandler]:
    """The live handlers of type `kind`, in the order they were made."""
    refs = handlers(model)
    refs[:] = [r for r in refs if r() is not None]
    return [h for h in (r() for r in refs) if h is not None and h.type == kind]


def run_type(interp, kind: int) -> None:
    """Run the handlers of type `kind` (finitialize's `nrn_fihexec(kind)`)."""
    for h in alive(interp.model, kind):
        h.run(interp)


def run_before_initial(interp) -> None:
    """Type 0 handlers, between setting v and the INITIAL blocks. bridge gives the run its v before the
    handlers run, so a handler that assigns v there is refused (NEURON would start INITIAL from its v)."""
    model = interp.model
    if not alive(model, 0):
        return
    before = {sec.name: dict(sec.voltages) for sec in model.sections}
    run_type(interp, 0)
    for sec in model.sections:
        if sec.voltages != before.get(sec.name, sec.voltages):
            raise UnsupportedFeature(f"an FInitializeHandler of type 0 assigned v in {sec.name} before the INITIAL "
                                     "blocks; bridge gives the run its v before those handlers (use type 1 to set v "
                                     "after INITIAL)")


def classes() -> dict:
    return {"FInitializeHandler": FInitializeHandler}
