"""`clipboard_retrieve([file])`: NEURON's stdlib.hoc procedure that reads two columns of numbers into
`hoc_obj_[1]` (x) and `hoc_obj_[0]` (y), the Vectors a Graph's "Retrieve from File" plots.

As NEURON 9.0.2's share/lib/hoc/stdlib.hoc `clipboard_retrieve` (run without a display, where
`File.chooser` shows no dialog): both Vectors start as one 0; the file is opened with `ropen` (a missing
file, or no name given: `continue_dialog("Clipboard Retrieve failed")`, which prints nothing without a display,
src/ivoc/utility.cpp `hoc_continue_dialog`). A first line with
`label` in it gives hoc_obj_[0]'s label (`sscanf(line, "label:%s")`) and the next line is read. That line is
scanned with `sscanf("%g %g")` (numbers rounded to float, as %g stores them): one number is the count n
of pairs that follow, and n + 1 pairs are read (NEURON's loop ends after the pair that makes j > n); two
numbers are the first pair (none: a first pair of 0, 0); then pairs are read with `scanvar` until `eof()`.
A number missing at the end is HOC's "EOF in fscan" error, as in NEURON.
"""

from __future__ import annotations

from bridge.hoc.arguments import string_arg
from bridge.hoc.scanf import parse_format, scan
from bridge.hoc.values import ObjVar


def _hoc_obj(interp, loc) -> ObjVar:
    """NEURON's built-in `objref hoc_obj_[2]`."""
    var = interp.top.get("hoc_obj_")
    if var is None:
        var = interp.top["hoc_obj_"] = ObjVar((2,))
    if not isinstance(var, ObjVar) or len(var.data) < 2:
        raise interp.error("clipboard_retrieve: hoc_obj_ is not an objref array of 2", loc)
    return var


def clipboard_retrieve(interp, args, loc):
    objs = _hoc_obj(interp, loc)
    for i in (0, 1):
        vec = interp.classes["Vector"](interp, [200.0], loc)
        vec.hoc_call(interp, "resize", [1.0], loc)
        objs.data[i] = vec
    y, x = objs.data[0], objs.data[1]
    f = interp.classes["File"](interp, [], loc)
    name = string_arg(interp, args, 0, loc, "clipboard_retrieve") if args else ""
    if not name or not f.hoc_call(interp, "ropen", [name], loc):
        interp.model.gui_calls.setdefault("continue_dialog (Clipboard Retrieve failed)", loc)
        return 0.0
    line = interp.new_str()
    f.hoc_call(interp, "gets", [line], loc)
    if "label" in line.value:
        n, values = scan(line.value, parse_format(interp, "label:%s\n", loc))
        if n == 1:
            y.hoc_call(interp, "label", [values[0]], loc)
        f.hoc_call(interp, "gets", [line], loc)
    n, values = scan(line.value, parse_format(interp, "%g %g", loc))
    if n >= 1:
        x.data[0] = values[0]
    if n >= 2:
        y.data[0] = values[1]
    j, size = 1, 1e20
    if n == 1:
        size = x.data[0]
        for vec in (y, x):
            vec.hoc_call(interp, "resize", [0.0], loc)
        j = 0
    while not f.hoc_call(interp, "eof", [], loc):
        for vec in (x, y):
            vec.hoc_call(interp, "append", [f.hoc_call(interp, "scanvar", [], loc)], loc)
        j += 1
        if j > size:
            break
    f.hoc_call(interp, "close", [], loc)
    return 0.0


def functions() -> dict:
    return {"clipboard_retrieve": clipboard_retrieve}

