"""What batch NEURON 9.0.2 (`nrniv -nogui`, no display) does for the GUI-class methods whose result a
model can compute with or that change the model or the run (docs/gui.md); every
other GUI-class method draws or lays out windows, returns 0 in batch NEURON, and stays a no-op.

- GUIMath (src/ivoc/mymath.cpp): `d2line`, `d2line_seg`, `inside` are pure functions in InterViews'
  float `Coord`, computed here in float32; `feround(mode)` sets the FPU rounding mode: reading it (no
  argument, 0 or 2: round to nearest) returns 2, setting another mode is refused.
- Deck.flip_to and Graph.line_info(i, vec) return -1, Timer.seconds the interval it was given (measured); a
  Timer never fires in batch NEURON (no event loop).
- Refused, naming the call: Graph.getline (batch NEURON aborts), RangeVarPlot's values along its path,
  StateTransitionEvent's transitions (they act during the run), Family's and Grapher's runs (they
  execute their action for each value), RunFitter/FunctionFitter/MulRunFitter fits.
"""

from __future__ import annotations

import numpy as np

from bridge.hoc import numerical_panel
from bridge.hoc.arguments import number_arg

REFUSED = {
    "Graph": {"getline": "batch NEURON aborts in Graph.getline (no lines without a display)"},
    "RangeVarPlot": {m: "the values along a RangeVarPlot's path are not computed by bridge"
                     for m in ("to_vector", "from_vector", "left", "right", "list")},
    "StateTransitionEvent": {m: "a StateTransitionEvent acts during the run (threshold transitions), which "
                                "bridge does not run" for m in ("transition", "state")},
    "Family": {m: "Family runs its action for each value of its variable, which bridge does not run"
               for m in ("frun", "fcontinue", "act", "slcmd")},
    "Grapher": {m: "Grapher executes its generator for each value of its independent variable, which bridge "
                   "does not run" for m in ("plot", "erase_plot")},
    "RunFitter": {m: "fitting (the optimizer runs the model) is not run by bridge" for m in ("fit", "efun", "run")},
    "FunctionFitter": {m: "fitting is not run by bridge" for m in ("fit", "efun", "run")},
    "MulRunFitter": {m: "fitting (the optimizer runs the model) is not run by bridge"
                     for m in ("prun", "efun", "fit", "run")},
}


def _coords(interp, args, loc, name):
    return [np.float32(number_arg(interp, args, i, loc, name)) for i in range(6)]


def d2line(interp, args, loc) -> float:
    """MyMath::distance_to_line in float32: the distance from (x, y) to the infinite line."""
    x, y, x1, y1, x2, y2 = _coords(interp, args, loc, "GUIMath.d2line")
    with np.errstate(all="ignore"):
        dx, dy, dx2, dy2 = x - x1, y - y1, x2 - x1, y2 - y1
        norm2 = dx2 * dx2 + dy2 * dy2
        norm = dx * dx + dy * dy
        dot = dx * dx2 + dy * dy2
        if norm2 == 0:
            norm2 = np.float32(1.0)
        d = norm - dot * dot / norm2
        return 0.0 if d < 0 else float(np.sqrt(d))


def d2line_seg(interp, args, loc) -> float:
    """MyMath::distance_to_line_segment in float32: the distance from (x, y) to the segment."""
    x, y, x1, y1, x2, y2 = _coords(interp, args, loc, "GUIMath.d2line_seg")
    with np.errstate(all="ignore"):
        dx, dy, dx2, dy2 = x - x1, y - y1, x2 - x1, y2 - y1
        norm2 = dx2 * dx2 + dy2 * dy2
        norm = dx * dx + dy * dy
        if norm2 == 0:
            return float(np.sqrt(norm))
        dot = dx * dx2 + dy * dy2
        if dot < 0:
            return float(np.sqrt(norm))
        if dot > norm2:
            ex, ey = x - x2, y - y2
            return float(np.sqrt(ex * ex + ey * ey))
        d = norm - dot * dot / norm2
        return 0.0 if d <= 0 else float(np.sqrt(d))


def inside(interp, args, loc) -> float:
    """MyMath::inside: 1 when (x, y) lies in the box [x1, x2] x [y1, y2] (float32 comparisons)."""
    x, y, x1, y1, x2, y2 = _coords(interp, args, loc, "GUIMath.inside")
    return float(x1 <= x <= x2 and y1 <= y <= y2)


def feround(interp, args, loc) -> float:
    """mymath.cpp feround(mode): returns the rounding mode (2: to nearest, bridge's only one); modes 1, 3
    and 4 would round every later floating-point operation of NEURON differently: refused."""
    if args:
        mode = number_arg(interp, args, 0, loc, "GUIMath.feround")
        if not 0 <= mode <= 4:
            raise interp.error("GUIMath.feround: Arg out of range in user function (NEURON's chkarg(1, 0, 4))", loc)
        if int(mode) in (1, 3, 4):
            raise interp.refuse(f"GUIMath.feround({int(mode)}) changes the FPU rounding mode of every later "
                                "computation; bridge rounds to nearest only", loc)
    return 2.0


GUIMATH = {"d2line": d2line, "d2line_seg": d2line_seg, "inside": inside, "feround": feround}


def call(obj, interp, name: str, args: list, loc):
    """The value of `obj.name(args)` for a GUI object, or None for a display-only call (0 in batch NEURON)."""
    why = REFUSED.get(obj.cls, {}).get(name)
    if why is not None:
        raise interp.refuse(f"{obj.cls}.{name}(): {why}", loc)
    if obj.cls == "NumericalMethodPanel":
        return numerical_panel.call(obj, interp, name, args, loc)
    if obj.cls == "GUIMath":
        fn = GUIMATH.get(name)
        if fn is None:
            raise interp.error(f"GUIMath.{name}: not a public member of GUIMath (d2line, d2line_seg, inside, "
                               "feround)", loc)
        return fn(interp, args, loc)
    if obj.cls == "Deck" and name == "flip_to":
        return -1.0  # measured: batch NEURON 9.0.2 returns -1
    if obj.cls == "Graph" and name == "line_info":
        return -1.0  # measured: batch NEURON 9.0.2 has no lines (-1) even after addvar (lib/hoc/lincir/lingraph.hoc)
    if obj.cls == "Timer" and name == "seconds":
        if args:
            obj.interval = number_arg(interp, args, 0, loc, "Timer.seconds")
        interval = getattr(obj, "interval", None)
        if interval is None:
            raise interp.refuse("Timer.seconds(): the interval of a Timer never given one is not known to bridge",
                                loc)
        return interval
    return None
