"""Built-ins of NEURON 9 that old models call, beside those of their own concept modules.

`classname(obj, strdef)` is stdlib.hoc's procedure (the object's name up to its `[`). NEURON's
old clamp, synapse and batch functions are refused by name, each saying what to use instead:
`fclamp`/`fclampv`/`fclampi` (src/nrnoc/clamp.cpp), `fsyn`/`fsyni` (synapse.cpp) and
`batch_run`/`batch_save` (fadvance.cpp: runs the simulation and writes it to a file). Without a
display `continue_dialog` returns 1 and `boolean_dialog` (a GUI function, `bridge.hoc.gui`) 0
(src/ivoc/utility.cpp); both are listed with the GUI calls. `ion_charge("ca_ion")` is the ion's
charge (src/nrnoc/eion.cpp `ion_charge`): NEURON's for na and k (always registered), else that of an ion
a mechanism the model used so far declares (its USEION VALENCE, or NEURON's for ca); another is refused.
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
    out["ion_charge"] = ion_charge
    return out


def ion_charge(interp, args, loc):
    """`ion_charge("ca_ion")`: the charge of an ion mechanism."""
    from bridge.mechanisms.ions import DEFAULTS

    name = string_arg(interp, args, 0, loc, "ion_charge")
    ion = name[:-4] if name.endswith("_ion") else None
    catalog = interp.model.catalog
    if ion is None:
        raise interp.error(f"{name} is not an ion mechanism", loc)
    if ion not in ("na", "k") and not any(u[0] == ion for n in list(catalog._info) for u in catalog.get(n).ions):
        raise interp.refuse(f"ion_charge(\"{name}\"): no mechanism the model used so far declares the ion {ion}, "
                            "and bridge does not read every .mod file to find its VALENCE", loc)
    valences = {u[3] for n in catalog.names() if n in catalog._info for u in catalog.get(n).ions
                if u[0] == ion and u[3] is not None}
    if ion in DEFAULTS and not valences:
        return DEFAULTS[ion].valence
    if len(valences) == 1:
        return float(valences.pop())
    raise interp.refuse(f"ion_charge(\"{name}\"): bridge does not know the charge NEURON gives {ion} "
                        f"({'no VALENCE' if not valences else 'several VALENCEs'} in the mechanisms used)", loc)
