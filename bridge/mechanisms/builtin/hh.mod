TITLE hh: Hodgkin-Huxley sodium, potassium and leak currents (bridge built-in)

COMMENT
The squid-axon model of Hodgkin and Huxley (J. Physiol. 117:500, 1952) in
NEURON's convention: absolute membrane potential, rest near -65 mV, rates
scaled by a Q10 of 3 from 6.3 degC. Written for bridge; it has the names,
units, defaults, equations and rate TABLE of NEURON's built-in `hh`, so that
both give the same numbers.
ENDCOMMENT

NEURON {
    SUFFIX hh
    USEION na READ ena WRITE ina
    USEION k READ ek WRITE ik
    NONSPECIFIC_CURRENT il
    RANGE gnabar, gkbar, gl, el, gna, gk
    RANGE minf, hinf, ninf, mtau, htau, ntau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S)  = (siemens)
}

PARAMETER {
    gnabar = 0.12   (S/cm2) <0, 1e9>
    gkbar  = 0.036  (S/cm2) <0, 1e9>
    gl     = 0.0003 (S/cm2) <0, 1e9>
    el     = -54.3  (mV)
}

STATE {
    m h n
}

ASSIGNED {
    v       (mV)
    celsius (degC)
    ena     (mV)
    ek      (mV)
    gna     (S/cm2)
    gk      (S/cm2)
    ina     (mA/cm2)
    ik      (mA/cm2)
    il      (mA/cm2)
    minf hinf ninf
    mtau (ms) htau (ms) ntau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gna = gnabar*m*m*m*h
    ina = gna*(v - ena)
    gk = gkbar*n*n*n*n
    ik = gk*(v - ek)
    il = gl*(v - el)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
    n = ninf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
    n' = (ninf - n)/ntau
}

PROCEDURE rates(v (mV)) {
    : steady states and time constants of m, h, n at membrane potential v
    LOCAL alpha, beta, sum, q10
    TABLE minf, mtau, hinf, htau, ninf, ntau DEPEND celsius FROM -100 TO 100 WITH 200

    UNITSOFF
    q10 = 3^((celsius - 6.3)/10)

    : m, sodium activation
    alpha = .1 * vtrap(-(v + 40), 10)
    beta = 4 * exp(-(v + 65)/18)
    sum = alpha + beta
    mtau = 1/(q10*sum)
    minf = alpha/sum

    : h, sodium inactivation
    alpha = .07 * exp(-(v + 65)/20)
    beta = 1 / (exp(-(v + 35)/10) + 1)
    sum = alpha + beta
    htau = 1/(q10*sum)
    hinf = alpha/sum

    : n, potassium activation
    alpha = .01 * vtrap(-(v + 55), 10)
    beta = .125 * exp(-(v + 65)/80)
    sum = alpha + beta
    ntau = 1/(q10*sum)
    ninf = alpha/sum
    UNITSON
}

FUNCTION vtrap(x, y) {
    : x/(exp(x/y) - 1), with its limit y*(1 - x/y/2) near x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = y*(1 - x/y/2)
    } else {
        vtrap = x/(exp(x/y) - 1)
    }
}
