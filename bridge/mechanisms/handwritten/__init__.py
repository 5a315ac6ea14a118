"""Hand-written JAX versions of NEURON's built-in pas, hh and IClamp.

They implement `bridge.mechanisms.protocol.Mechanism` and follow the C code
that NEURON 9.0.2's nocmodl generates for passive.mod, hh.mod and stim.mod,
so the solver can be checked against NEURON before the NMODL translator
exists. Translated mechanisms replace them.
"""

from bridge.mechanisms.handwritten.hh import HH
from bridge.mechanisms.handwritten.iclamp import IClamp
from bridge.mechanisms.handwritten.pas import Pas


def builtin_mechanisms() -> dict:
    """A fresh {name: mechanism} mapping of the hand-written built-ins."""
    return {"pas": Pas(), "hh": HH(), "IClamp": IClamp()}


__all__ = ["HH", "IClamp", "Pas", "builtin_mechanisms"]
