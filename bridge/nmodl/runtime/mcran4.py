"""NEURON's older generators, bit for bit: `mcell_ran4` (src/gnu/mcran4.cpp nrnRan4int, John Skilling's
64-bit hash that replaced Numerical Recipes' ran4) and scop_random's linear congruential generator
(src/oc/scoprand.cpp), on Python ints holding uint32 values.

Each is a pure function of its state: `ran4_int(high, low) -> (word, high + 1)`; the callers (HOC's
`Random.MCellRan4`, `mcell_ran4`, and NMODL's `scop_random`) keep the state.
"""

from __future__ import annotations

_MASK = 0xFFFFFFFF
SHIFT32 = 1.0 / 4294967296.0  # mcran4.cpp nrnRan4dbl: 2^-32


def _half(x: int) -> tuple[int, int]:
    return x >> 16, x & 0xFFFF


def ran4_int(high: int, low: int) -> tuple[int, int]:
    """nrnRan4int(&high, low): the hash of (high, low) and high + 1 (mod 2^32)."""
    n = high & _MASK
    m = low & _MASK
    v, w = _half(n ^ 0xBAA96887)
    u = ~((v - w) * (v + w)) & _MASK
    m ^= ((((u >> 16) | (u << 16)) & _MASK) ^ 0x4B0F3B58) + w * v & _MASK
    v, w = _half(m ^ 0x1E17D32C)
    u = ~((v - w) * (v + w)) & _MASK
    n ^= ((((u >> 16) | (u << 16)) & _MASK) ^ 0xE874F0C3) + w * v & _MASK
    return n & _MASK, (high + 1) & _MASK


def ran4_double(high: int, low: int) -> tuple[float, int]:
    """nrnRan4dbl(&high, low): the word times 2^-32, in [0, 1)."""
    word, high = ran4_int(high, low)
    return float(word) * SHIFT32, high


def scop_lcg(value: int) -> tuple[float, int]:
    """scop_random() without use_mcell_ran4: value = 2147437301 * value + 453816981 (mod 2^32),
    returned as fabs(value / (2^32 - 1))."""
    value = (2147437301 * value + 453816981) & _MASK
    return abs(float(value) / 4294967295.0), value
