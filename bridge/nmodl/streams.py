"""The run time's random generators, for HOC's `Random` class (bridge.hoc.random): NEURON's Random123
streams (`random123`), the stream fields of NMODL RANDOM variables (`randomvars`) and its older
generators (`mcran4`). HOC may not import the run time directly
(tests/test_layers.py); this module is the translator package's door to the one implementation that
HOC and generated mechanism code share."""

from bridge.nmodl.runtime import mcran4, random123, randomvars, scoprandom

__all__ = ["mcran4", "random123", "randomvars", "scoprandom"]
