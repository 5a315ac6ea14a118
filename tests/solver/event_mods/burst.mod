: Written for bridge's tests: a burst detector on v. INITIAL arms it (self-event flag 1); flag 1 starts
: WATCH (v > vth) 2; crossing up (flag 2) counts a spike, fires (net_event), injects `amp` and watches
: the way down, WATCH (v < vlow) 3; flag 3 stops the current and watches upward again.
NEURON {
    POINT_PROCESS Burst
    RANGE vth, vlow, amp, i, n, gain
    NONSPECIFIC_CURRENT i
}
PARAMETER {
    vth = -20 (mV)
    vlow = -50 (mV)
    gain = 0.05 (nA)
}
ASSIGNED { v (mV) i (nA) amp (nA) n }
INITIAL { amp = 0 n = 0 net_send(0, 1) }
BREAKPOINT { i = -amp }
NET_RECEIVE(w) {
    if (flag == 1) {
        WATCH (v > vth) 2
    } else if (flag == 2) {
        n = n + 1
        net_event(t)
        amp = gain
        WATCH (v < vlow) 3
    } else if (flag == 3) {
        amp = 0
        WATCH (v > vth + 5*n) 2
    }
}
