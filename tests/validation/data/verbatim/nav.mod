TITLE nav: a sodium channel stepped by its own PROCEDURE (written for bridge's tests)

COMMENT
The style of many published channels (Mainen & Sejnowski 1996 and their descendants):
BREAKPOINT solves a PROCEDURE that advances the gates with precomputed exponential
factors, and the PROCEDURE ends with VERBATIM return 0; ENDVERBATIM, which changes
nothing. Rates: Hodgkin-Huxley-like, written for this test.
ENDCOMMENT

NEURON {
    SUFFIX nav
    USEION na READ ena WRITE ina
    RANGE gbar, gna
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.05 (S/cm2)
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    gna (S/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
    mexp
    hexp
}

STATE { m h }

BREAKPOINT {
    SOLVE states
    gna = gbar*m*m*m*h
    ina = gna*(v - ena)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

PROCEDURE states() {
    rates(v)
    m = m + mexp*(minf - m)
    h = h + hexp*(hinf - h)
    VERBATIM
    return 0;
    ENDVERBATIM
}

PROCEDURE rates(vm (mV)) {
    LOCAL am, bm, ah, bh
    am = 0.1*exp((vm + 40)/12)
    bm = 4*exp(-(vm + 65)/18)
    ah = 0.07*exp(-(vm + 65)/20)
    bh = 1/(1 + exp(-(vm + 35)/10))
    mtau = 1/(am + bm)
    minf = am*mtau
    htau = 1/(ah + bh)
    hinf = ah*htau
    mexp = 1 - exp(-dt/mtau)
    hexp = 1 - exp(-dt/htau)
}
