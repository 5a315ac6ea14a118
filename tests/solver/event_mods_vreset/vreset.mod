COMMENT
An integrate-and-fire reset written by bridge's tests: WATCH (v > thresh) fires, NET_RECEIVE sets the
node's v to vreset and clamps it for refrac ms; an event from a NetCon kicks v by its weight [mV].
ENDCOMMENT
NEURON {
    POINT_PROCESS VReset
    RANGE thresh, vreset, refrac, grefrac, g
    NONSPECIFIC_CURRENT i
}
PARAMETER {
    thresh = -55 (mV)
    vreset = -70 (mV)
    refrac = 2 (ms)
    grefrac = 0.02 (uS)
}
ASSIGNED { v (mV) i (nA) g (uS) }
INITIAL {
    g = 0
    net_send(0, 3)
}
BREAKPOINT { i = g*(v - vreset) }
NET_RECEIVE(w) {
    if (flag == 1) {
        net_event(t)
        v = vreset
        g = grefrac
        net_send(refrac, 2)
    } else if (flag == 2) {
        g = 0
    } else if (flag == 3) {
        WATCH (v > thresh) 1
    } else {
        v = v + w
    }
}
