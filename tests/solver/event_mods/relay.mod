: Written for bridge's tests: a point process that is a NetCon source. Every `nth` external event
: (weight w > 0) it fires at once (net_event(t)) and, through a self-event `lag` later (flag 1),
: fires again and injects a pulse of current `w` for `dur` (flag 2 ends it).
NEURON {
    POINT_PROCESS Relay
    RANGE nth, lag, dur, count, amp, i
    NONSPECIFIC_CURRENT i
}
PARAMETER {
    nth = 2
    lag = 0.4 (ms)
    dur = 0.5 (ms)
}
ASSIGNED { v (mV) i (nA) amp (nA) count }
INITIAL { amp = 0 count = 0 }
BREAKPOINT { i = -amp }
NET_RECEIVE(w (nA)) {
    if (flag == 0) {
        count = count + 1
        if (count >= nth) {
            count = 0
            net_event(t)
            net_send(lag, 1)
        }
    } else if (flag == 1) {
        net_event(t)
        amp = w
        net_send(dur, 2)
    } else if (flag == 2) {
        amp = 0
    }
}
