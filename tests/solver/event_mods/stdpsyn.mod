COMMENT
Written for bridge's tests: an STDP-style synapse. Each NetCon's weight vector is (w, A, tpre): w the
fixed weight, A its learned part, tpre the time of its last presynaptic event. A presynaptic event
adds w + A to the conductance g and depresses A according to the time since the last postsynaptic
spike; a postsynaptic spike (WATCH v > vth, flag 2, armed by the self-event INITIAL sends) potentiates
the learned part of every NetCon into the synapse (FOR_NETCONS) according to the time since its
last presynaptic event.
ENDCOMMENT

NEURON {
    POINT_PROCESS StdpSyn
    RANGE tau, e, i, d, p, dtau, ptau, wmax, vth, g, npost
    NONSPECIFIC_CURRENT i
}

PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
    d = 0.3
    p = 0.5
    dtau = 20 (ms)
    ptau = 15 (ms)
    wmax = 0.02 (uS)
    vth = -20 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    tpost (ms)
    npost
}

STATE { g (uS) }

INITIAL {
    g = 0
    tpost = -1e9
    npost = 0
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}

DERIVATIVE state {
    g' = -g/tau
}

NET_RECEIVE (w (uS), A (uS), tpre (ms)) {
    INITIAL {
        A = 0
        tpre = -1e9
    }
    if (flag == 0) {
        g = g + w + A
        tpre = t
        A = A*(1 - d*exp((tpost - t)/dtau))
    } else if (flag == 2) {
        tpost = t
        npost = npost + 1
        FOR_NETCONS (w1, A1, tp) {
            A1 = A1 + (wmax - w1 - A1)*p*exp((tp - t)/ptau)
        }
    } else {
        WATCH (v > vth) 2
    }
}
