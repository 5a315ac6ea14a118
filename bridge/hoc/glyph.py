"""NEURON's `Glyph` (a drawing for a Graph, src/ivoc/glyph.cpp): its drawing methods (`path`, `m`, `l`,
`curve`, `close`, `s`, `fill`, ...) return the Glyph itself, so session code chains them
(`g.path.m(-10, 0).l(10, 0).s(1)`, the LinearCircuit tool's parts, lib/hoc/lincir/elmbase.hoc). Batch
NEURON 9.0.2 draws nothing; bridge returns the object, as NEURON does (measured: `g.path.m(1,2).s(1)` prints
`Glyph[0]`), and lists the calls in the GUI warning (docs/gui.md)."""

from __future__ import annotations

from bridge.hoc.gui import GuiObject
from bridge.hoc.values import FuncRef

# Glyph's methods (glyph.cpp `members`): each returns the Glyph
GLYPH_METHODS = frozenset("path m l curve close s fill erase circle cap gif glyph cont".split())


class Glyph(GuiObject):
    """`new Glyph()`: its methods return the Glyph (read without parentheses too: `g.path`)."""

    def __init__(self, interp, args, loc):
        super().__init__(interp, "Glyph", args, loc)

    def hoc_ref(self, interp, name, indices, loc):
        if name in GLYPH_METHODS and not indices:
            interp.model.gui_calls.setdefault(f"Glyph.{name}", loc)
            return FuncRef(lambda: self, lambda v: None)
        return super().hoc_ref(interp, name, indices, loc)

    def hoc_call(self, interp, name, args, loc):
        if name in GLYPH_METHODS:
            interp.model.gui_calls.setdefault(f"Glyph.{name}", loc)
            return self
        return super().hoc_call(interp, name, args, loc)
