"""The parameters a RunFitter session file restores (NEURON's runfit.hoc).

A session file's RunFitter runs, inside `object_push(ocbox_)`, one `spec_parms("name", val, low, high,
doargfit)` per parameter. runfit.hoc `spec_parms` checks the name (`ckvar`: a variable HOC can play
into), then `RunFitArg.play_one()`: `val.play(name, 1e9)`, `val.play(0)` assigns `val` (a double, not
rounded) to the variable at load time. The window is a GUI no-op in bridge; the assignment changes the
model, so bridge makes it, at top level. A name that is not a plain variable reference (a `$1`
statement, statement separators) is refused with its file and line.
"""

from __future__ import annotations

import math
import re

from bridge.hoc import loader
from bridge.hoc.arguments import number_arg, string_arg

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\[\]()]*")  # a variable reference, nothing else


def is_runfit_frame(interp) -> bool:
    """Whether HOC runs inside `object_push()` of a RunFitter window (a session file's)."""
    pushed = getattr(interp.frame, "pushed", None)
    return pushed is not None and getattr(pushed[1], "cls", None) == "RunFitter"


def spec_parms(interp, args, loc) -> float:
    """runfit.hoc `spec_parms(name, val, low, high, doargfit)`: `name = val` (see the module docstring)."""
    name = string_arg(interp, args, 0, loc, "spec_parms")
    value = number_arg(interp, args, 1, loc, "spec_parms")
    for i in range(2, 5):
        number_arg(interp, args, i, loc, "spec_parms")
    if not _NAME.fullmatch(name.strip()):
        raise interp.refuse(f"RunFitter spec_parms({name!r}): not a variable reference bridge can assign", loc)
    if not math.isfinite(value):
        raise interp.refuse(f"RunFitter spec_parms({name!r}, {value}): the value is not finite", loc)
    loader.run_text(interp, f"{name.strip()} = {value!r}\n", f"<RunFitter spec_parms at {loc}>")
    return 0.0
