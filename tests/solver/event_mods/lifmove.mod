COMMENT
A leaky integrate-and-fire artificial cell with a bias current that moves its pending fire event
(net_move), as IntFire2-style published cells do. m relaxes to ib with time constant tau; the cell
fires when m reaches 1. INITIAL and each firing queue the next fire time (flag 1); an input event
updates m analytically, adds w and moves the pending fire event to the new crossing time (or to
now when m >= 1; 1e9 when m never reaches 1).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL LifMove
    RANGE tau, ib, m, nmoved
}

PARAMETER {
    tau = 10 (ms)
    ib = 1.2
}

ASSIGNED {
    m
    t0 (ms)
    nmoved
}

FUNCTION firetime(m0) (ms) {
    if (ib <= 1) {
        firetime = 1e9
    } else {
        firetime = tau*log((ib - m0)/(ib - 1))
    }
}

INITIAL {
    m = 0
    t0 = t
    nmoved = 0
    net_send(firetime(m), 1)
}

NET_RECEIVE (w) {
    m = ib + (m - ib)*exp(-(t - t0)/tau)
    t0 = t
    if (flag == 1) {
        net_event(t)
        m = 0
        net_send(firetime(m), 1)
    } else {
        m = m + w
        nmoved = nmoved + 1
        if (m >= 1) {
            net_move(t)
        } else {
            net_move(t + firetime(m))
        }
    }
}
