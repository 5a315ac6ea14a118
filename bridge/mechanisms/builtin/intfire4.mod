TITLE IntFire4: an integrate-and-fire cell with excitatory and alpha-like inhibitory currents (bridge built-in)

COMMENT
Written for bridge with the name, parameters, units, defaults and behaviour of NEURON's built-in
IntFire4 (src/nrnoc/intfire4.mod; Hines & Carnevale, improved by R.A.J. van Elburg), whose
arithmetic it repeats so that spike times agree.

States between events: e (excitatory current, decays with taue), i1 and i2 (inhibition: i1 decays
with taui1 and feeds i2, which decays with taui2) and m (membrane, time constant taum, driven by
ae*e + ai2*i2). All are advanced analytically from the last event time t0 (newstates). The
factors normalise a unit excitatory or inhibitory weight to a peak of 1 in m. The cell fires when
m > 1 - eps at an event, then m = 0. A self-event (flag 1) is always pending at a lower bound of
the threshold crossing time (firetimebound: the time m would reach 1 at its present slope); at
it the states are advanced and a new bound queued; an input event adds its weight to e (w > 0) or
i1 (w <= 0) and moves the pending self-event to the new bound (net_move). INITIAL first adjusts the
time constants so that taue < taui2, taui1 < taui2 and every two differ by at least taueps.
E(), I() and M() are e, i2 and m now (scaled by ae and ai2 for E and I).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire4
    RANGE taue, taui1, taui2, taum, e, i1, i2, m, ae, ai2, ai1
    RANGE nself, nexcite, ninhibit
    GLOBAL eps, taueps
}

PARAMETER {
    taue = 5 (ms) <0,1e9>
    taui1 = 10 (ms) <0,1e9>
    taui2 = 20 (ms) <0,1e9>
    taum = 50 (ms) <0,1e9>
    ib = 0
    eps = 1e-6 <1e-9,0.01>
    taueps = 0.01 <1e-9,1e9>
}

ASSIGNED {
    e i1 i2 m
    enew i1new i2new mnew
    t0 (ms)
    nself nexcite ninhibit
    ke (1/ms) ki1 (1/ms) ki2 (1/ms) km (1/ms)
    ae (1/ms) ai1 (1/ms) ai2 (1/ms)
    be bi1 bi2
    a b
    held (ms)
    nosearch
}

PROCEDURE newstates(d (ms)) {
    : the states d ms after the last event, into enew, i1new, i2new, mnew
    LOCAL xe, xi1, xi2, xm
    xe = exp(-ke*d)
    xi1 = exp(-ki1*d)
    xi2 = exp(-ki2*d)
    xm = exp(-km*d)
    enew = e*xe
    i1new = i1*xi1
    i2new = i2*xi2 + bi1*i1*(xi2 - xi1)
    mnew = m*xm + be*e*(xm - xe) + (bi2*i2 + a*i1)*(xm - xi2) - b*i1*(xm - xi1)
}

FUNCTION M() {
    newstates(t - t0)
    M = mnew
}

FUNCTION E() {
    newstates(t - t0)
    E = ae*enew
}

FUNCTION I() {
    newstates(t - t0)
    I = ai2*i2new
}

PROCEDURE update() {
    e = enew
    i1 = i1new
    i2 = i2new
    m = mnew
    t0 = t
}

PROCEDURE fixprecondition() {
    : taue < taui2 and taui1 < taui2, every two time constants at least taueps apart, all kept far
    : enough from 0 that the shifts of taum below cannot reach it
    if (taui2 < 4*taueps) {
        taui2 = 4*taueps
    }
    if (taui1 < 3*taueps) {
        taui1 = 3*taueps
    }
    if (taue < 2*taueps) {
        taue = 2*taueps
    }
    if (taue > taui2) {
        held = taue
        taue = taui2 - taueps
    } else if (taui2 - taue < taueps) {
        taue = taui2 - taueps
    }
    if (taui1 > taui2) {
        held = taui2
        taui2 = taui1
        taui1 = held
    }
    if (taui2 - taui1 < taueps) {
        taui1 = taui2 - taueps
    }
    if (taum <= taui2) {
        if (taui2 - taum < taueps) {
            taum = taui2 - taueps
        }
        if (fabs(taui1 - taum) < taueps) {
            taum = taui1 - taueps
        }
        if (fabs(taui1 - taum) < taueps) {
            if (taui1 - taum < 0) {
                taum = taui1 - taueps
            } else {
                taui1 = taum - taueps
            }
        }
        if (fabs(taue - taum) < taueps) {
            if (taue - taum < 0) {
                taum = taue - taueps
            } else {
                taue = taum - taueps
            }
        }
        if (fabs(taui1 - taum) < taueps) {
            taum = taui1 - taueps
        }
    } else if (taum - taui2 < taueps) {
        taum = taui2 + taueps
    }
}

PROCEDURE factors() {
    LOCAL tpeak
    ke = 1/taue
    ki1 = 1/taui1
    ki2 = 1/taui2
    km = 1/taum

    : a unit e gives a peak of 1 in m
    tpeak = log(km/ke)/(km - ke)
    be = 1/(exp(-km*tpeak) - exp(-ke*tpeak))
    ae = be*(ke - km)

    : a unit i1 gives a peak of 1 in i2
    tpeak = log(ki2/ki1)/(ki2 - ki1)
    bi1 = 1/(exp(-ki2*tpeak) - exp(-ki1*tpeak))
    ai1 = bi1*(ki1 - ki2)

    : a unit i1 gives a peak of 1 in m: with bi2 = 1 find the time of the extremum of m, then scale
    e = 0
    i1 = 1
    i2 = 0
    m = 0
    bi2 = 1
    ai2 = bi2*(ki2 - km)
    a = bi2*bi1
    b = a*(ki2 - km)/(ki1 - km)
    tpeak = search()
    newstates(tpeak)
    bi2 = 1/mnew
    ai2 = bi2*(ki2 - km)
    a = bi2*bi1
    b = a*(ki2 - km)/(ki1 - km)
    newstates(tpeak)
    i1 = 0
}

FUNCTION deriv(d (ms)) (/ms2) {
    : has the sign of dm/dt at d after a unit i1 (not its value)
    deriv = (-km*exp(-d*km) + ki2*exp(-d*ki2))/(ki2 - km) - (-km*exp(-d*km) + ki1*exp(-d*ki1))/(ki1 - km)
}

FUNCTION search() (ms) {
    : the time of the extremum of m after a unit i1: bracket it by factors of 10 from 1 ms
    : (deriv(t1) > 0 > deriv(t2)), then bisect to 1e-6 ms
    LOCAL x, t1, t2
    t1 = 1
    nosearch = 0
    if (deriv(t1) < 0) {
        while (deriv(t1) < 0 && t1 > 1e-9) {
            t2 = t1
            t1 = t1/10
        }
        if (deriv(t1) < 0) {
            nosearch = 1
            search = 1e-9
        }
    } else {
        t2 = t1
        while (deriv(t2) > 0 && t2 < 1e9) {
            t1 = t2
            t2 = t2*10
        }
        if (deriv(t2) > 0) {
            nosearch = 1
            search = 1e9
        }
    }
    while (t2 - t1 > 1e-6 && nosearch == 0) {
        search = (t1 + t2)/2
        x = deriv(search)
        if (x > 0) {
            t1 = search
        } else {
            t2 = search
        }
    }
}

INITIAL {
    fixprecondition()
    factors()
    e = 0
    i1 = 0
    i2 = 0
    m = 0
    t0 = t
    net_send(firetimebound(), 1)
    nself = 0
    nexcite = 0
    ninhibit = 0
}

NET_RECEIVE (w) {
    newstates(t - t0)
    update()
    if (m > 1 - eps) {
        net_event(t)
        m = 0
    }
    if (flag == 1) {
        nself = nself + 1
        net_send(firetimebound(), 1)
    } else {
        if (w > 0) {
            nexcite = nexcite + 1
            e = e + w
        } else {
            ninhibit = ninhibit + 1
            i1 = i1 + w
        }
        net_move(firetimebound() + t)
    }
}

FUNCTION firetimebound() (ms) {
    : when m would reach 1 at its present slope (1e9 when it does not rise)
    LOCAL slope
    slope = -km*m + ae*e + ai2*i2
    if (slope <= 1e-9) {
        firetimebound = 1e9
    } else {
        firetimebound = (1 - m)/slope
    }
}
