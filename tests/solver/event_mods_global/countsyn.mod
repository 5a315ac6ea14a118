COMMENT
A synapse of bridge's tests whose NET_RECEIVE accumulates a GLOBAL (ModelDB 116769's ampa.mod: total = total +
weight): one value shared by every instance, so an event at one synapse changes what the next event at
another adds.
ENDCOMMENT
NEURON {
    POINT_PROCESS CountSyn
    GLOBAL total
    RANGE tau, e, i, g
    NONSPECIFIC_CURRENT i
}
PARAMETER { tau = 2 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) total }
STATE { g (uS) }
INITIAL {
    g = 0
    total = 0
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(w) {
    total = total + w
    g = g + 0.0005*total
}
