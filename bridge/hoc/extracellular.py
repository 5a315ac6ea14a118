"""HOC's view of NEURON's built-in `extracellular` mechanism (bridge.solver.extracellular runs it).

`insert extracellular` gives every segment two layers; HOC names its range variables without a suffix
(extcelln.cpp `mechanism[]`): `xraxial` [MOhm/cm], `xg` [S/cm2], `xc` [uF/cm2] (arrays of nlayer = 2, a
bare name is element 0: `insert extracellular xraxial=Rpn0 xg=1e10 xc=0`), `e_extracellular` [mV], and the
computed `vext` [mV] (array) and `i_membrane` [mA/cm2]. bridge keeps layer k's values under the keys
`xraxial<k>`, `xg<k>`, `xc<k>`, `vext<k>` of the mechanism "extracellular".
"""

from __future__ import annotations

from bridge.solver.extracellular import DEFAULTS, NAME

__all__ = ["COMPUTED", "HOC_NAMES", "NAME", "PARAMETERS", "RANGE_NAMES", "carried_e", "key_of"]

# HOC's bare names -> bridge's keys (element 0 of the layer arrays)
HOC_NAMES = {"xraxial": "xraxial0", "xg": "xg0", "xc": "xc0", "e_extracellular": "e_extracellular",
             "vext": "vext0", "i_membrane": "i_membrane"}
COMPUTED = ("vext0", "vext1", "i_membrane")  # finitialize sets them to 0; the run computes them
PARAMETERS = dict(DEFAULTS)  # extcell_alloc's defaults
RANGE_NAMES = tuple(DEFAULTS) + COMPUTED


def key_of(hoc_name: str) -> str | None:
    """bridge's key of an extracellular range variable HOC names (`xg` -> "xg0"), None for other names."""
    return HOC_NAMES.get(hoc_name)

LAYERED = ("xraxial", "xg", "xc", "vext")  # the nlayer arrays
# MechanismStandard("extracellular") (nrniv/ndatclas.cpp): its PARAMETERs in NEURON's order, arrays of 2
MS_DEFAULTS = {"xraxial": DEFAULTS["xraxial0"], "xg": DEFAULTS["xg0"], "xc": DEFAULTS["xc0"],
               "e_extracellular": DEFAULTS["e_extracellular"]}
ARRAY_SIZES = {"xraxial": 2, "xg": 2, "xc": 2}
ELEMENT_DEFAULTS = {"xraxial[1]": DEFAULTS["xraxial1"], "xg[1]": DEFAULTS["xg1"], "xc[1]": DEFAULTS["xc1"]}


def layer(var, indices: list[int], name: str):
    """`xg[1]`: the MechanismVariable (bridge.hoc.bindings) of layer `indices[0]` of an extracellular array
    (`var` is its element 0); None when `var` is not one (the caller's error applies). A subscript outside
    0..nlayer-1 is NEURON's 'subscript out of range' (HocError)."""
    from bridge.errors import HocError
    from bridge.hoc.bindings import MechanismVariable

    if getattr(var, "mechanism", None) != NAME or var.name[:-1] not in LAYERED or var.name[-1] != "0":
        return None
    if len(indices) != 1 or not 0 <= indices[0] < 2:
        raise HocError(f"{name}{indices}: subscript out of range (extracellular has 2 layers, nlayer = 2)")
    return MechanismVariable(f"{var.name[:-1]}{int(indices[0])}", NAME)


def is_layer_call(node, lookup) -> bool:
    """Whether `node` (an ast.Index) is an extracellular layer array: `xg[1]`, `sec.vext[0]` (then `node(x)`
    is a range variable at x); `lookup(name)` is what a bare name is bound to (bridge.hoc.names.lookup)."""
    from bridge.hoc import ast
    from bridge.hoc.bindings import RangeVar

    target = node.target
    if isinstance(target, ast.Member):
        return target.name in LAYERED
    if isinstance(target, ast.Name) and target.name in LAYERED:
        return isinstance(lookup(target.name), RangeVar)
    return False


def carried_e(model, mech: str, name: str) -> bool:
    """Whether `name` of `mech` is e_extracellular in a model where a POINTER points at it: the run then carries
    e_extracellular in its state (bridge.solver.pointer_writes), and HOC reads and assigns it there after
    finitialize()."""
    if mech != NAME or name != "e_extracellular":
        return False
    targets = [t for sec in model.sections for t in sec.data.pointers.values()]
    targets += [t for p in model.point_processes if getattr(p, "pp", None) is not None for t in p.pp.pointers.values()]
    return any(t[2] == NAME and t[3] == "e_extracellular" for t in targets)
