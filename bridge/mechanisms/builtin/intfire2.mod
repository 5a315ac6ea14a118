TITLE IntFire2: an integrate-and-fire cell with a synaptic current that decays (bridge built-in)

COMMENT
Written for bridge with the name, parameters, units, defaults and behaviour of NEURON's built-in
IntFire2 (src/nrnoc/intfire2.mod), whose arithmetic it repeats so that spike times agree.

The synaptic current i relaxes to the bias ib with time constant taus (taus di/dt + i = ib); an
event of weight w adds w to i. The membrane state m follows taum dm/dt + m = i and the cell fires
when m reaches 1, after which m = 0. Both are computed analytically at each event (t0: the time of
the last one). The next firing time is always queued as a self-event with flag 1; an input event
moves it (net_move) to the new crossing time, found by Newton's method (firetime, newton1).
taus must exceed taum: INITIAL sets taus = taum + 0.1 otherwise. M() and I() are m and i now.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire2
    RANGE taus, taum, ib, i, m
}

PARAMETER {
    taus = 20 (ms)
    taum = 10 (ms)
    ib = 0
}

ASSIGNED {
    i
    m
    t0 (ms)
}

FUNCTION M() {
    LOCAL k, decayed
    k = taus/(taus - taum)
    decayed = (i - ib)*exp(-(t - t0)/taus)
    M = ib + k*decayed + (m - (ib + (i - ib)*k))*exp(-(t - t0)/taum)
}

FUNCTION I() {
    LOCAL k, decayed
    k = taus/(taus - taum)
    decayed = (i - ib)*exp(-(t - t0)/taus)
    I = decayed + ib
}

INITIAL {
    i = ib
    m = 0
    if (taus <= taum) {
        taus = taum + .1
    }
    t0 = t
    net_send(firetime(ib, 0, 0), 1)
}

NET_RECEIVE (w) {
    LOCAL k, decayed, inow, bterm
    k = taus/(taus - taum)
    decayed = (i - ib)*exp(-(t - t0)/taus)
    inow = ib + decayed
    if (flag == 1) {
        : the queued crossing time has come: fire, reset m, queue the next crossing
        net_event(t)
        m = 0
        bterm = (inow - ib)*k
        net_send(firetime(ib, bterm, 0), 1)
    } else {
        : an input: m now, then the current jumps by w and the crossing time moves
        m = ib + k*decayed + (m - (ib + (i - ib)*k))*exp(-(t - t0)/taum)
        inow = inow + w
        if (m >= 1) {
            net_move(t)
        } else {
            bterm = (inow - ib)*k
            net_move(firetime(ib, bterm, m) + t)
        }
    }
    t0 = t
    i = inow
}

FUNCTION firetime(a, b, c) (ms) {
    : the first s > 0 with 1 = a + b*exp(-s/taus) + (c - a - b)*exp(-s/taum) (c < 1, taum < taus);
    : 1e9 when there is none. With x = exp(-s/taum) and r = taum/taus the equation is
    : 1 = a + b*x^r + (c - a - b)*x on 0 < x <= 1, solved by Newton from x = 1, or in the variable
    : exp(-s/taus) (exponent 1/r) when the slope at x = 1 points out of the domain.
    LOCAL r, rest, x, slope, peak
    r = taum/taus
    rest = c - a - b
    if (a <= 1 && a + b <= 1) {
        firetime = 1e9
    } else if (a > 1 && b <= 0) {
        : a > 1: there is a crossing
        slope = r*b + rest
        if (slope >= 0) {
            firetime = -taus*log(newton1(a, rest, b, 1/r, 0))
        } else {
            x = (1 - c + slope)/slope
            if (x <= 0) {
                firetime = -taus*log(newton1(a, rest, b, 1/r, 0))
            } else {
                firetime = -taum*log(newton1(a, b, rest, r, x))
            }
        }
    } else {
        : a crossing exists only if the maximum exceeds 1 (the maximum may lie at x > 1)
        x = (-rest/(r*b))^(1/(r - 1))
        peak = a + b*x^r + rest*x
        if (x >= 1 || peak <= 1) {
            firetime = 1e9
        } else {
            slope = r*b + rest
            x = (1 - c + slope)/slope
            firetime = -taum*log(newton1(a, b, rest, r, x))
        }
    }
}

FUNCTION newton1(a, b, c, r, x) {
    : x in (0, 1] with 1 = a + b*x^r + c*x, by Newton from x; at most 11 steps
    LOCAL dx, f, df, n
    dx = 1
    f = 0
    n = 0
    while (fabs(dx) > 1e-6 || fabs(f - 1) > 1e-6) {
        f = a + b*x^r + c*x
        df = r*b*x^(r - 1) + c
        dx = (1 - f)/df
        x = x + dx
        if (x <= 0) {
            x = 1e-4
        } else if (x > 1) {
            x = 1
        }
        n = n + 1
        if (n > 10) {
            f = 1
            dx = 0
        }
    }
    newton1 = x
}
