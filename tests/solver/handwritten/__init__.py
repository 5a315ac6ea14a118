"""Hand-written JAX versions of NEURON's built-in pas, hh and IClamp.

They implement `bridge.mechanisms.protocol.Mechanism` and follow the C code
that NEURON 9.0.2's nocmodl generates for passive.mod, hh.mod and stim.mod,
so the solver is checked against NEURON independently of the NMODL translator
(tests/solver/test_step.py); bridge itself runs the translated built-ins.
"""

from tests.solver.handwritten.hh import HH
from tests.solver.handwritten.iclamp import IClamp
from tests.solver.handwritten.pas import Pas


def builtin_mechanisms() -> dict:
    """A fresh {name: mechanism} mapping of the hand-written built-ins."""
    return {"pas": Pas(), "hh": HH(), "IClamp": IClamp()}


__all__ = ["HH", "IClamp", "Pas", "builtin_mechanisms"]
