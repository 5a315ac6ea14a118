: Written for bridge's tests: a synapse whose event starts a pulse of current through self-events.
: An external event (flag 0) with weight w > 0 sets amp = w and queues flag 2 after `dur`; flag 2
: switches it off and, while count < nmax, queues flag 3 after `gap`; flag 3 switches it on again.
NEURON {
    POINT_PROCESS SelfPulse
    RANGE dur, gap, nmax, amp, count, i
    NONSPECIFIC_CURRENT i
}
PARAMETER {
    dur = 0.3 (ms)
    gap = 0.7 (ms)
    nmax = 3
}
ASSIGNED { v (mV) i (nA) amp (nA) count }
INITIAL { amp = 0 count = 0 net_send(0.1, 4) }
BREAKPOINT { i = -amp }
NET_RECEIVE(w (nA), n) {
    INITIAL { n = 0 }
    if (flag == 0) {
        n = n + 1
        amp = w
        net_send(dur, 2)
    } else if (flag == 2) {
        amp = 0
        count = count + 1
        if (count < nmax) { net_send(gap, 3) }
    } else if (flag == 3) {
        amp = w*(1 + n)
        net_send(dur, 2)
    } else if (flag == 4) {
        : from INITIAL: NEURON's event carries no weights, so w and n are not read here
        amp = 0.01
        net_send(0.2, 5)
    } else if (flag == 5) {
        amp = 0
    }
}
