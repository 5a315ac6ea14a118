"""NEURON's AtolTool (lib/hoc/atoltool.hoc), as session files make it: `atoltool_ = new AtolTool()`.

The tool scales CVODE's absolute tolerance per state. Its `init()` only lists the states and reads each
one's `cvode.atolscale(name)`; `scales()` reads them again; `rescale()`/`original()` set atolscales, and
`activate()`/`analyse()` switch CVODE's state-magnitude bookkeeping (`cvode.state_magnitudes`). None of
these changes what NEURON's fixed step computes, which is what bridge runs, so they are accepted and do
nothing. `anrun()` runs a simulation with CVODE and `pr()` prints the magnitudes it found: both refused.
"""

from __future__ import annotations

from bridge.hoc.objects import BuiltinObject

# atoltool.hoc's procedures that read or set only CVODE's tolerances and bookkeeping
_CVODE_ONLY = {"scales", "rescale", "original", "activate", "analyse", "refresh", "map", "save"}


class AtolTool(BuiltinObject):
    """`new AtolTool()`: accepted; its CVODE-only procedures do nothing (the module's docstring)."""

    cls = "AtolTool"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        interp.model.gui_calls.setdefault("AtolTool (CVODE's atolscale tool: no effect on the fixed step)", loc)

    def hoc_call(self, interp, name, args, loc):
        if name in _CVODE_ONLY:
            return 0.0
        if name in ("anrun", "pr"):
            raise interp.refuse(f"AtolTool.{name}() is not supported: it runs (anrun) or prints (pr) CVODE's "
                                "state-magnitude analysis, which bridge's fixed step does not make", loc)
        return super().hoc_call(interp, name, args, loc)
