: A density channel of ours with every kind of variable NEURON registers as <var>_ugate:
: RANGE and GLOBAL PARAMETERs, a RANGE and a GLOBAL ASSIGNED, a STATE.
NEURON {
    SUFFIX ugate
    NONSPECIFIC_CURRENT i
    RANGE gbar, g
    GLOBAL vhalf, slope, tinf
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER {
    gbar = 0.002 (S/cm2)
    vhalf = -40 (mV)
    slope = 6 (mV)
    tau = 3 (ms)
    erev = -80 (mV)
}
ASSIGNED { v (mV) i (mA/cm2) g (S/cm2) tinf }
STATE { m }
INITIAL { rates(v) m = tinf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * m
    i = g * (v - erev)
}
DERIVATIVE states { rates(v) m' = (tinf - m) / tau }
PROCEDURE rates(v (mV)) { tinf = 1 / (1 + exp(-(v - vhalf) / slope)) }
