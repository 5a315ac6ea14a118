COMMENT
bridge's test mechanism for FUNCTIONs and PROCEDUREs called from HOC (tests/hoc/test_nmodl_calls.py):
a GLOBAL ASSIGNED (minf) and a RANGE ASSIGNED (tau) set by a PROCEDURE, a GLOBAL PARAMETER (k),
FUNCTIONs that use only globals, a RANGE PARAMETER or a STATE, PROCEDUREs that assign a RANGE or
a GLOBAL PARAMETER, and a tabulated FUNCTION.
ENDCOMMENT

NEURON {
    SUFFIX fx
    NONSPECIFIC_CURRENT i
    RANGE gbar, tau, e
    GLOBAL minf, k
}

PARAMETER {
    gbar = 0.001 (S/cm2)
    e = -70 (mV)
    k = 8 (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    minf
    tau (ms)
}

STATE { m }

INITIAL {
    rates(v)
    m = minf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*(v - e)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/tau
}

PROCEDURE rates(vv (mV)) {
    minf = 1/(1 + exp(-(vv + 40)/k))
    tau = 1 + gbar*1000*exp(-vv/30)
}

FUNCTION alpha(vv (mV)) {
    alpha = 0.1*exp(vv/10) + k
}

FUNCTION getg() {
    getg = gbar*2
}

FUNCTION getm() {
    getm = m + 0
}

PROCEDURE setg(x) {
    gbar = x
}

PROCEDURE setk(x) {
    k = x
}

FUNCTION tabf(x) {
    TABLE DEPEND k FROM -100 TO 100 WITH 50
    tabf = exp(x/k)/(1 + exp(x/30))
}
