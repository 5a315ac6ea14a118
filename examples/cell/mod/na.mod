TITLE na.mod   transient sodium current of the bridge example cell

COMMENT
Hodgkin-Huxley-style sodium current, INa = gnabar * m^3 * h * (v - ena),
with rate functions of the squid axon shifted to a -65 mV resting potential.
Rates scale with temperature by q10^((celsius - temp0)/10).
The steady states and time constants are tabulated (TABLE ... DEPEND celsius)
over -100..100 mV in 0.5 mV steps, as NEURON does for hh.
Written for the bridge project.
ENDCOMMENT

NEURON {
    SUFFIX na
    USEION na READ ena WRITE ina
    RANGE gnabar, gna
    GLOBAL minf, hinf, mtau, htau, q10, temp0
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gnabar = 0.12 (S/cm2) <0, 1e9>
    q10 = 3
    temp0 = 6.3 (degC)
}

STATE {
    m
    h
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ena (mV)
    ina (mA/cm2)
    gna (S/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

BREAKPOINT {
    SOLVE gates METHOD cnexp
    gna = gnabar * m * m * m * h
    ina = gna * (v - ena)
}

INITIAL {
    settables(v)
    m = minf
    h = hinf
}

DERIVATIVE gates {
    settables(v)
    m' = (minf - m) / mtau
    h' = (hinf - h) / htau
}

PROCEDURE settables(v (mV)) {
    LOCAL am, bm, ah, bh, phi
    TABLE minf, hinf, mtau, htau DEPEND celsius FROM -100 TO 100 WITH 400

    UNITSOFF
    phi = q10^((celsius - temp0) / 10)
    : activation: am = 0.1 (v+40) / (1 - exp(-(v+40)/10)), written with xexpm1 to avoid 0/0
    am = xexpm1(-(v + 40) / 10)
    bm = 4 * exp(-(v + 65) / 18)
    minf = am / (am + bm)
    mtau = 1 / (phi * (am + bm))
    : inactivation
    ah = 0.07 * exp(-(v + 65) / 20)
    bh = 1 / (1 + exp(-(v + 35) / 10))
    hinf = ah / (ah + bh)
    htau = 1 / (phi * (ah + bh))
    UNITSON
}

FUNCTION xexpm1(z) {
    : z / (exp(z) - 1), and its limit 1 - z/2 near z = 0
    if (fabs(z) < 1e-6) {
        xexpm1 = 1 - z / 2
    } else {
        xexpm1 = z / (exp(z) - 1)
    }
}
