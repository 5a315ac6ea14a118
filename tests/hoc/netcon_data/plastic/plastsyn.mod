: A synapse whose NET_RECEIVE changes its own weight (as plasticity rules do) and counts its events.
NEURON {
    POINT_PROCESS PlastSyn
    RANGE tau, e, i, dw
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}
PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
    dw = 0.002 (uS)
}
ASSIGNED {
    v (mV)
    i (nA)
}
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(weight (uS), n) {
    INITIAL { n = 0 }
    g = g + weight
    weight = weight + dw
    n = n + 1
}
