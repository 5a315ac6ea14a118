"""bridge: NEURON models (NMODL mechanisms, HOC cells) running in JAX, proven against NEURON.

The public API lives here; everything else is an implementation detail.
"""

from bridge.errors import (
    BridgeError,
    HocError,
    NmodlSyntaxError,
    SemanticError,
    SimulationError,
    UnsupportedFeature,
)

__all__ = [
    "BridgeError",
    "HocError",
    "NmodlSyntaxError",
    "SemanticError",
    "SimulationError",
    "UnsupportedFeature",
]
__version__ = "0.1.0"
