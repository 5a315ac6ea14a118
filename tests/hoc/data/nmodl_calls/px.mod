COMMENT
bridge's test point process for FUNCTIONs and PROCEDUREs called from HOC (tests/hoc/test_nmodl_calls.py):
a current source whose amplitude a PROCEDURE sets, and a FUNCTION of its RANGE variables.
ENDCOMMENT

NEURON {
    POINT_PROCESS PX
    RANGE amp, scale
    NONSPECIFIC_CURRENT i
}

PARAMETER {
    amp = 0.1 (nA)
    scale = 3
}

ASSIGNED {
    i (nA)
    v (mV)
}

BREAKPOINT {
    i = -amp
}

FUNCTION twice(x) {
    twice = x*scale + amp
}

PROCEDURE setamp(a) {
    amp = a
}
