"""HOC's `nernst` and `ghk` (src/nrnoc/eion.cpp `nernst`, `ghk`), at HOC's celsius now.

`nernst(ci, co, z)` is `nrn_nernst` [mV]. `nernst("ena" | "nai" | "nao", [x])` solves
co/ci = exp(z e / ktf) for the named ion variable from the other two, read in the currently
accessed section at x (0.5 by default; 0 <= x <= 1), with the ion's charge: "ena" is the Nernst
potential [mV], "nai" = nao exp(-z ena / ktf) and "nao" = nai exp(z ena / ktf) [mM]. Any other
name is NEURON's "not a reversal potential or concentration" error. `ghk(v, ci, co, z)` is
`nrn_ghk`, the GHK current for a unit permeability [mA/cm2 per cm/s].
"""

from __future__ import annotations

import math

from bridge.hoc.arguments import number_arg, string_arg
from bridge.hoc.bindings import MechanismVariable
from bridge.hoc.legacy import ion_charge
from bridge.hoc.values import StrVar
from bridge.mechanisms.ions import FARADAY, ktf

_ROLES = ("e", "ci", "co")  # eion.cpp: an ion mechanism's variables 0, 1, 2


def _ktf(interp) -> float:
    """RT/F [mV] at HOC's celsius now (eion.cpp's `ktf` macro)."""
    return float(ktf(float(interp.model.globals["celsius"])))


def nrn_nernst(ci: float, co: float, z: float, kt: float) -> float:
    """eion.cpp `nrn_nernst` [mV]: 0 for z = 0, 1e6 for ci <= 0, -1e6 for co <= 0."""
    if z == 0:
        return 0.0
    if ci <= 0.0:
        return 1e6
    if co <= 0.0:
        return -1e6
    return kt / z * math.log(co / ci)


def _efun(x: float) -> float:
    """eion.cpp `efun`: x / (exp(x) - 1), 1 - x/2 for |x| < 1e-4."""
    return 1.0 - x / 2.0 if abs(x) < 1e-4 else x / (math.exp(x) - 1.0)


def nernst(interp, args, loc):
    """HOC `nernst(ci, co, z)` or `nernst("ena" | "nai" | "nao", [x])`."""
    if not args or not isinstance(args[0], (str, StrVar)):
        return nrn_nernst(*(number_arg(interp, args, i, loc, "nernst") for i in range(3)), _ktf(interp))
    name = string_arg(interp, args, 0, loc, "nernst")
    model = interp.model
    var = model.range_kind(name)
    if not isinstance(var, MechanismVariable) or not var.is_ion:
        raise interp.error(f"nernst: {name} not a reversal potential or concentration", loc)
    ion = var.mechanism[:-4]
    roles = {f"e{ion}": "e", f"{ion}i": "ci", f"{ion}o": "co"}
    if name not in roles:
        raise interp.error(f"nernst: {name} not a reversal potential or concentration", loc)
    x = 0.5
    if len(args) > 1:
        x = number_arg(interp, args, 1, loc, "nernst")
        if not 0.0 <= x <= 1.0:
            raise interp.error(f"nernst: argument 2 ({x:g}) out of range [0, 1]", loc)
    sec = model.current(interp, loc)
    z = ion_charge(interp, [f"{ion}_ion"], loc)
    value = {role: model.get_range(sec, MechanismVariable(other, var.mechanism), x, loc, interp)
             for other, role in roles.items() if role != roles[name]}
    kt = _ktf(interp)
    if roles[name] == "e":
        return nrn_nernst(value["ci"], value["co"], z, kt)
    if roles[name] == "ci":
        return value["co"] * math.exp(-z / kt * value["e"])
    return value["ci"] * math.exp(z / kt * value["e"])


def ghk(interp, args, loc):
    """HOC `ghk(v, ci, co, z)`: eion.cpp `nrn_ghk` [mA/cm2 for a permeability of 1 cm/s]."""
    v, ci, co, z = (number_arg(interp, args, i, loc, "ghk") for i in range(4))
    temp = z * v / _ktf(interp)
    return 0.001 * z * FARADAY * (ci * _efun(-temp) - co * _efun(temp))


def functions() -> dict:
    return {"nernst": nernst, "ghk": ghk}
