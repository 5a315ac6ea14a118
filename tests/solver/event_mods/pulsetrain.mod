COMMENT
A train of current pulses timed by self-events only (no NetCon): net_send from INITIAL, then each
NET_RECEIVE turns the current on or off and schedules the next change. Written for bridge's tests,
after the pattern of published pulse-train electrodes.
ENDCOMMENT

NEURON {
    POINT_PROCESS PulseTrain
    RANGE del, ton, toff, num, amp, i
    ELECTRODE_CURRENT i
}

UNITS { (nA) = (nanoamp) }

PARAMETER {
    del = 1 (ms)
    ton = 0.5 (ms)
    toff = 2 (ms)
    num = 3
    amp = 0.5 (nA)
}

ASSIGNED { i (nA)  ival (nA)  on  left }

INITIAL {
    i = 0
    ival = 0
    on = 0
    left = num
    if (left > 0) {
        net_send(del, 1)
        left = left - 1
    }
}

BREAKPOINT { i = ival }

NET_RECEIVE (w) {
    if (flag == 1) {
        if (on == 0) {
            ival = amp
            on = 1
            net_send(ton, 1)
        } else {
            ival = 0
            on = 0
            if (left > 0) {
                net_send(toff, 1)
                left = left - 1
            }
        }
    }
}
