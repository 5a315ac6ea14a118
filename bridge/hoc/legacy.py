"""Built-ins of NEURON 9 that old models call, beside those of their own concept modules.

`classname(obj, strdef)` is stdlib.hoc's procedure (the object's name up to its `[`). NEURON's
old clamp, synapse and batch functions are refused by name, each saying what to use instead:
`fclamp`/`fclampv`/`fclampi` (src/nrnoc/clamp.cpp), `fsyn`/`fsyni` (synapse.cpp) and
`batch_run`/`batch_save` (fadvance.cpp: runs the simulation and writes it to a file). Without a
display `continue_dialog` returns 1 and `boolean_dialog` (a GUI function, `bridge.hoc.gui`) 0
(src/ivoc/utility.cpp); both are listed with the GUI calls.
"""

from __future__ import annotations

from bridge.hoc.arguments import string_arg
from bridge.hoc.formatting import hoc_format
from bridge.hoc.values import StrVar

UNSUPPORTED = {
    "fclamp": "NEURON's old voltage clamp (src/nrnoc/clamp.cpp); use SEClamp or VClamp",
    "fclampv": "NEURON's old voltage clamp (src/nrnoc/clamp.cpp); use SEClamp or VClamp",
    "fclampi": "NEURON's old voltage clamp (src/nrnoc/clamp.cpp); use SEClamp or VClamp",
    "fsyn": "NEURON's old alpha synapse (src/nrnoc/synapse.cpp); use AlphaSynapse",
    "fsyni": "NEURON's old alpha synapse (src/nrnoc/synapse.cpp); use AlphaSynapse",
    "batch_run": "runs the simulation and writes it to a file (src/nrnoc/fadvance.cpp); record with "
                 "Vector.record, run() and write the Vectors into the output folder",
    "batch_save": "names what batch_run writes (src/nrnoc/fadvance.cpp); record with Vector.record instead",
}


def classname(interp, args, loc):
    """stdlib.hoc `proc classname()`: sprint(tstr, "%s", $o1), then sscanf(tstr, "%[^[]", $s2)."""
    if len(args) < 2 or not isinstance(args[1], StrVar):
        raise interp.error("classname(object, strdef): the second argument must be a strdef variable", loc)
    text = hoc_format(interp, "%s", args[:1], loc)
    head = text.split("[", 1)[0]
    if head:  # sscanf matches nothing (and leaves $s2) when the name starts with '['
        args[1].value = head
    return None  # a proc: a statement calling it prints nothing


def continue_dialog(interp, args, loc):
    """src/ivoc/utility.cpp hoc_continue_dialog: without a display NEURON prints the message and returns 1."""
    interp.model.gui_calls.setdefault("continue_dialog", loc)
    interp.write(string_arg(interp, args, 0, loc, "continue_dialog") + "\n")
    return 1.0


def _unsupported(name: str, why: str):
    def call(interp, args, loc):
        raise interp.refuse(f"{name}() is not supported by bridge: {why}", loc)
    return call


def functions() -> dict:
    out = {name: _unsupported(name, why) for name, why in UNSUPPORTED.items()}
    out["classname"] = classname
    out["continue_dialog"] = continue_dialog
    return out
