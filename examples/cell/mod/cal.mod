TITLE cal.mod   high-voltage-activated calcium current (GHK) of the bridge example cell

COMMENT
ICa = pcabar * m^2 * ghk(v, cai, cao), with the Goldman-Hodgkin-Katz current
equation for a divalent ion. Reads cai and cao (USEION ca READ cai, cao), so
NEURON keeps eca from the concentrations; the current does not use eca.
FARADAY and R come from NEURON's units database (UNITS block).
Written for the bridge project.
ENDCOMMENT

NEURON {
    SUFFIX cal
    USEION ca READ cai, cao WRITE ica
    RANGE pcabar, ica
    GLOBAL mvhalf, mk, mtau0
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}

PARAMETER {
    pcabar = 2e-5 (cm/s) <0, 1e9>
    mvhalf = -20 (mV)
    mk = 6 (mV)
    mtau0 = 1.5 (ms)
}

STATE {
    m
}

ASSIGNED {
    v (mV)
    celsius (degC)
    cai (mM)
    cao (mM)
    ica (mA/cm2)
    minf
    mtau (ms)
}

BREAKPOINT {
    SOLVE gate METHOD cnexp
    ica = pcabar * m * m * ghk(v, cai, cao)
}

INITIAL {
    mrates(v)
    m = minf
}

DERIVATIVE gate {
    mrates(v)
    m' = (minf - m) / mtau
}

PROCEDURE mrates(v (mV)) {
    minf = 1 / (1 + exp(-(v - mvhalf) / mk))
    mtau = mtau0 + 3 (ms) * exp(-((v + 20 (mV)) / 25 (mV))^2)
}

FUNCTION ghk(v (mV), ci (mM), co (mM)) (.001 coul/cm3) {
    : 2 F (ci f(-z) - co f(z)), f(z) = z / (exp(z) - 1), z = 2 F v / (R T)
    LOCAL z
    z = (1e-3) * 2 * FARADAY * v / (R * (celsius + 273.15))
    ghk = (1e-3) * 2 * FARADAY * (ci * zfun(-z) - co * zfun(z))
}

FUNCTION zfun(z) {
    if (fabs(z) < 1e-4) {
        zfun = 1 - z / 2
    } else {
        zfun = z / (exp(z) - 1)
    }
}
