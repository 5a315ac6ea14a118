"""The names NMODL code may use without declaring them: NEURON's variables and the functions nocmodl knows.

Each set says what bridge does with the call: math runs (`bridge.nmodl.runtime.libm`),
no-op calls do nothing in a fixed-step run, `state_discontinuity` assigns, random and
event calls are refused (`bridge.nmodl.analysis.refusals`).
"""

from __future__ import annotations

# Variables NEURON provides to every mechanism.
BUILTINS = ("v", "t", "dt", "celsius", "area", "diam", "secondorder")
# The built-ins that are per instance (the others are shared).
PER_INSTANCE_BUILTINS = ("v", "area", "diam")

# Math functions NMODL code may call (C library and NEURON's own), by NMODL name: their arguments.
MATH_ARITY = {
    "exp": 1, "log": 1, "log10": 1, "sqrt": 1, "fabs": 1, "sin": 1, "cos": 1, "tan": 1, "asin": 1, "acos": 1,
    "atan": 1, "atan2": 2, "sinh": 1, "cosh": 1, "tanh": 1, "pow": 2, "floor": 1, "ceil": 1, "fmod": 2, "fmin": 2,
    "fmax": 2, "abs": 1, "exprelr": 1, "erf": 1, "erfc": 1,
}
MATH_FUNCTIONS = frozenset(MATH_ARITY)
# NEURON's own C functions a mechanism may call that also read NEURON's celsius (eion.cpp): their arguments.
CELSIUS_FUNCTIONS = {"nrn_ghk": 4}
# scopmath's pure functions that nocmodl links (src/scopmath) and bridge computes (runtime.libm): their arguments.
# A FUNCTION of the file's own with the name is the file's, as in nocmodl.
SCOPMATH_FUNCTIONS = {"gauss": 3}
# Calls that only print or do nothing for a fixed-step simulation.
NO_OP_CALLS = frozenset({"printf", "fprintf", "nrn_pragma"})
AT_TIME = "at_time"  # NEURON's fixed-step at_time(te) (runtime.events.at_time)
# state_discontinuity(x, value): x = value (an old NEURON call, kept for compatibility)
ASSIGN_CALLS = frozenset({"state_discontinuity"})
RANDOM_FUNCTIONS = frozenset({
    "unirand", "erand", "mcellran4", "nrnran123_uniform", "nrnran123_normal", "nrnran123_negexp",
})
# scop_random and what draws from it (bridge.nmodl.analysis.randoms; runtime.scoprandom)
SCOP_CALLS = frozenset({"scop_random", "normrand", "exprand", "poisrand", "set_seed"})
# NMODL RANDOM variables' functions (bridge.nmodl.analysis.randoms checks their use)
RANDOM_STREAM_CALLS = frozenset({"random_setseq", "random_setids", "random_uniform", "random_negexp", "random_normal",
                                 "random_ipick", "random_dpick"})
EVENT_CALLS = frozenset({"net_send", "net_event", "net_move"})
# Functions of NEURON's scopmath library (and nocmodl's list of external names, extdef.h) that
# bridge does not run: a call is an UnsupportedFeature naming it, unless the file defines its own.
SCOPMATH_UNSUPPORTED = frozenset({
    "stepforce", "step", "perstep", "squarewave", "sawtooth", "revsawtooth", "ramp", "pulse", "perpulse",
    "threshold", "force", "deflate", "expfit", "derivs", "spline", "hyperbol", "sigmoid", "boundary",
    "romberg", "invert", "legendre", "schedule", "poisson", "setseed", "nrn_random_play", "ghk", "nernst",
    "prterr", "error", "first_time",
})
# Every function name code may call besides the file's own FUNCTIONs and PROCEDUREs.
KNOWN_CALLS = (MATH_FUNCTIONS | frozenset(CELSIUS_FUNCTIONS) | NO_OP_CALLS | {AT_TIME} | EVENT_CALLS
               | RANDOM_FUNCTIONS | ASSIGN_CALLS | RANDOM_STREAM_CALLS
               | SCOP_CALLS | frozenset(SCOPMATH_FUNCTIONS))
