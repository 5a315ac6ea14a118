TITLE kdr.mod   delayed-rectifier potassium current of the bridge example cell

COMMENT
IK = gkbar * n^4 * (v - ek), with the squid-axon rates shifted to a -65 mV
resting potential; temperature scaling q10^((celsius - temp0)/10). The steady
state and time constant of n are tabulated (TABLE ... DEPEND celsius).
Written for the bridge project.
ENDCOMMENT

NEURON {
    SUFFIX kdr
    USEION k READ ek WRITE ik
    RANGE gkbar, gk
    GLOBAL ninf, ntau, q10, temp0
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gkbar = 0.036 (S/cm2) <0, 1e9>
    q10 = 3
    temp0 = 6.3 (degC)
}

STATE {
    n
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    ik (mA/cm2)
    gk (S/cm2)
    ninf
    ntau (ms)
}

BREAKPOINT {
    SOLVE gates METHOD cnexp
    gk = gkbar * n^4
    ik = gk * (v - ek)
}

INITIAL {
    ntables(v)
    n = ninf
}

DERIVATIVE gates {
    ntables(v)
    n' = (ninf - n) / ntau
}

PROCEDURE ntables(v (mV)) {
    LOCAL an, bn, phi, z
    TABLE ninf, ntau DEPEND celsius FROM -100 TO 100 WITH 400

    UNITSOFF
    phi = q10^((celsius - temp0) / 10)
    z = -(v + 55) / 10
    if (fabs(z) < 1e-6) {
        an = 0.1 * (1 - z / 2)
    } else {
        an = 0.1 * z / (exp(z) - 1)
    }
    bn = 0.125 * exp(-(v + 65) / 80)
    ninf = an / (an + bn)
    ntau = 1 / (phi * (an + bn))
    UNITSON
}
