: A small potassium current written for bridge's HOC tests (RANGE, GLOBAL, USEION, STATE).
NEURON {
    SUFFIX kdemo
    USEION k READ ek WRITE ik
    RANGE gbar, g
    GLOBAL vhalf
}
UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}
PARAMETER {
    gbar = 0.00212345678 (S/cm2)  : more digits than nocmodl keeps (%g)
    vhalf = -30 (mV)
}
ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    g (S/cm2)
}
STATE { n }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * n
    ik = g * (v - ek)
}
INITIAL { n = 1 / (1 + exp(-(v - vhalf) / 10)) }
DERIVATIVE states { n' = (1 / (1 + exp(-(v - vhalf) / 10)) - n) / 5 }
