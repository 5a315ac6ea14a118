"""HOC's view of NEURON's built-in `extracellular` mechanism (bridge.solver.extracellular runs it).

`insert extracellular` gives every segment two layers; HOC names its range variables without a suffix
(extcelln.cpp `mechanism[]`): `xraxial` [MOhm/cm], `xg` [S/cm2], `xc` [uF/cm2] (arrays of nlayer = 2, a
bare name is element 0: `insert extracellular xraxial=Rpn0 xg=1e10 xc=0`), `e_extracellular` [mV], and the
computed `vext` [mV] (array) and `i_membrane` [mA/cm2]. bridge keeps layer k's values under the keys
`xraxial<k>`, `xg<k>`, `xc<k>`, `vext<k>` of the mechanism "extracellular".
"""

from __future__ import annotations

from bridge.solver.extracellular import DEFAULTS, NAME

__all__ = ["COMPUTED", "HOC_NAMES", "NAME", "PARAMETERS", "RANGE_NAMES", "key_of"]

# HOC's bare names -> bridge's keys (element 0 of the layer arrays)
HOC_NAMES = {"xraxial": "xraxial0", "xg": "xg0", "xc": "xc0", "e_extracellular": "e_extracellular",
             "vext": "vext0", "i_membrane": "i_membrane"}
COMPUTED = ("vext0", "vext1", "i_membrane")  # finitialize sets them to 0; the run computes them
PARAMETERS = dict(DEFAULTS)  # extcell_alloc's defaults
RANGE_NAMES = tuple(DEFAULTS) + COMPUTED


def key_of(hoc_name: str) -> str | None:
    """bridge's key of an extracellular range variable HOC names (`xg` -> "xg0"), None for other names."""
    return HOC_NAMES.get(hoc_name)
