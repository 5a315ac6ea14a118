: A synapse kicked at fixed times with at_time() and state_discontinuity(), as old NEURON models
: (before NET_RECEIVE) drove their synapses: g jumps by w in the step that reaches del and del2.
NEURON {
    POINT_PROCESS AtSyn
    RANGE del, del2, w, tau, e, i, kicks
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { del = 5 (ms) del2 = 15 (ms) w = 0.02 (uS) tau = 3 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) kicks }
STATE { g (uS) }
INITIAL { g = 0 kicks = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    if (at_time(del)) {
        state_discontinuity(g, g + w)
        kicks = kicks + 1
    }
    if (at_time(del2)) {
        state_discontinuity(g, g + 2*w)
    }
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
