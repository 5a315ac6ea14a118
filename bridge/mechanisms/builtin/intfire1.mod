TITLE IntFire1: a leaky integrate-and-fire cell driven by events (bridge built-in)

COMMENT
Written for bridge with the name, parameters, units, defaults and behaviour of NEURON's
built-in IntFire1 (src/nrnoc/intfire1.mod). m decays with time constant tau between
events (computed analytically at each event); an event adds its weight w; when m
exceeds 1 the cell fires (net_event) and is refractory for `refrac` ms (a self-event
with flag 1 ends it), ignoring inputs. M() is the value of m now, as NEURON's M()
(2 for 0.5 ms after a spike, then -1 while refractory).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire1
    RANGE tau, refrac, m
}

PARAMETER {
    tau = 10 (ms)
    refrac = 5 (ms)
}

ASSIGNED {
    m
    t0 (ms)
    refractory
}

INITIAL {
    m = 0
    t0 = t
    refractory = 0
}

FUNCTION M() {
    if (refractory == 0) {
        M = m*exp(-(t - t0)/tau)
    } else if (refractory == 1) {
        if (t - t0 < 0.5) { M = 2 } else { M = -1 }
    }
}

NET_RECEIVE (w) {
    if (refractory == 0) {
        m = m*exp(-(t - t0)/tau)
        t0 = t
        m = m + w
        if (m > 1) {
            refractory = 1
            m = 2
            net_send(refrac, refractory)
            net_event(t)
        }
    } else if (flag == 1) {
        t0 = t
        refractory = 0
        m = 0
    }
}
