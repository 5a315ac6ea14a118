TITLE ih.mod   hyperpolarization-activated cation current of the bridge example cell

COMMENT
A non-specific cation current Ih = ghbar * q * (v - eh) with one gate q that
opens on hyperpolarization: qinf = 1 / (1 + exp((v - vhalf)/k)) and a
bell-shaped time constant peaking near vhalf. No ion is read or written: the
current is NONSPECIFIC_CURRENT with its own reversal potential eh.
Written for the bridge project.
ENDCOMMENT

NEURON {
    SUFFIX ih
    NONSPECIFIC_CURRENT i
    RANGE ghbar, eh, g
    GLOBAL vhalf, k, taumin, taumax, qinf, qtau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    ghbar = 5e-5 (S/cm2) <0, 1e9>
    eh = -30 (mV)
    vhalf = -82 (mV)
    k = 7 (mV)
    taumin = 20 (ms)
    taumax = 200 (ms)
}

STATE {
    q
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    g (S/cm2)
    qinf
    qtau (ms)
}

BREAKPOINT {
    SOLVE gate METHOD cnexp
    g = ghbar * q
    i = g * (v - eh)
}

INITIAL {
    qrates(v)
    q = qinf
}

DERIVATIVE gate {
    qrates(v)
    q' = (qinf - q) / qtau
}

PROCEDURE qrates(v (mV)) {
    qinf = 1 / (1 + exp((v - vhalf) / k))
    qtau = taumin + (taumax - taumin) / (exp((v - vhalf) / 15 (mV)) + exp(-(v - vhalf) / 15 (mV)))
}
