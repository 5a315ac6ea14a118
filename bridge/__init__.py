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
from bridge.limits import DEFAULT_LIMITS, Limits

# The simulator imports JAX (and turns on float64); load it only when asked for.
_LAZY = {"load_swc": "bridge.morphology.swc", "load_asc": "bridge.morphology.neurolucida",
         "SectionTree": "bridge.morphology.tree",
         "load_hoc": "bridge.hoc", "HocSession": "bridge.hoc", "from_neuron": "bridge.hoc",
         "capture_neuron": "bridge.hoc.from_neuron_network",
         "load_mod": "bridge.nmodl.load", "load_mechanisms": "bridge.nmodl.load",
         "Model": "bridge.model", "Simulation": "bridge.model", "Traces": "bridge.model", "simulate": "bridge.model",
         "sweep": "bridge.param_sweep", "load_sweep": "bridge.param_sweep", "use_cpu_cores": "bridge.solver.devices",
         "NetworkShards": "bridge.network_shard"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bridge' has no attribute {name!r}")


__all__ = [
    "load_mod",
    "load_mechanisms",
    "load_swc",
    "load_asc",
    "SectionTree",
    "load_hoc",
    "HocSession",
    "from_neuron",
    "capture_neuron",
    "Model",
    "Simulation",
    "Traces",
    "simulate",
    "sweep",
    "load_sweep",
    "use_cpu_cores",
    "NetworkShards",
    "BridgeError",
    "HocError",
    "NmodlSyntaxError",
    "SemanticError",
    "SimulationError",
    "UnsupportedFeature",
    "Limits",
    "DEFAULT_LIMITS",
]
__version__ = "0.1.0"
