COMMENT
bridge's test point process for FUNCTIONs and PROCEDUREs called from HOC (tests/hoc/test_nmodl_calls.py):
a current source whose amplitude a PROCEDURE sets, and a FUNCTION of its RANGE variables and of a GLOBAL
(`offset`, HOC's `offset_PX`: a point process's GLOBAL has the suffix in HOC, as a density mechanism's).
ENDCOMMENT

NEURON {
    POINT_PROCESS PX
    RANGE amp, scale
    GLOBAL offset
    NONSPECIFIC_CURRENT i
}

PARAMETER {
    amp = 0.1 (nA)
    scale = 3
    offset = 0.125
}

ASSIGNED {
    i (nA)
    v (mV)
}

BREAKPOINT {
    i = -amp
}

FUNCTION twice(x) {
    twice = x*scale + amp + offset
}

PROCEDURE setoffset(o) {
    offset = o
}

PROCEDURE setamp(a) {
    amp = a
}
