: A decaying conductance point process written for bridge's HOC tests.
NEURON {
    POINT_PROCESS DemoSyn
    RANGE tau, e, i, gmax
    NONSPECIFIC_CURRENT i
}
UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}
PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
    gmax = 0.001 (uS)
}
ASSIGNED {
    v (mV)
    i (nA)
}
STATE { g (uS) }
INITIAL { g = gmax }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g * (v - e)
}
DERIVATIVE state { g' = -g / tau }
