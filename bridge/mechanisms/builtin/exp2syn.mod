TITLE Exp2Syn: synaptic conductance, difference of two exponentials (bridge built-in)

COMMENT
Written for bridge, with the names, units and defaults of NEURON's built-in
Exp2Syn. g = B - A, where A decays with tau1 (rise) and B with tau2 (decay) [ms];
an event of weight w [uS] adds w*factor to both, factor chosen so that the peak
of g is w. As NEURON does, INITIAL keeps tau1/tau2 within [1e-9, 0.9999].
ENDCOMMENT

NEURON {
    POINT_PROCESS Exp2Syn
    RANGE tau1, tau2, e, i
    NONSPECIFIC_CURRENT i
    RANGE g
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau1 = 0.1 (ms) <1e-9, 1e9>
    tau2 = 10 (ms) <1e-9, 1e9>
    e = 0 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    factor
}

STATE {
    A (uS)
    B (uS)
}

INITIAL {
    LOCAL tpeak
    if (tau1/tau2 > 0.9999) { tau1 = 0.9999*tau2 }
    if (tau1/tau2 < 1e-9) { tau1 = tau2*1e-9 }
    A = 0
    B = 0
    : time of the peak of exp(-t/tau2) - exp(-t/tau1), and 1/(its value)
    tpeak = (tau1*tau2)/(tau2 - tau1) * log(tau2/tau1)
    factor = -exp(-tpeak/tau1) + exp(-tpeak/tau2)
    factor = 1/factor
}

BREAKPOINT {
    SOLVE rates METHOD cnexp
    g = B - A
    i = g*(v - e)
}

DERIVATIVE rates {
    A' = -A/tau1
    B' = -B/tau2
}

NET_RECEIVE(weight (uS)) {
    A = A + weight*factor
    B = B + weight*factor
}
