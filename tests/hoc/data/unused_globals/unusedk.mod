: A potassium-like channel that the test's cell never inserts: HOC sets its GLOBALs anyway.
NEURON {
    SUFFIX unusedk
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL ntau
}
PARAMETER {
    gbar = 0.01 (S/cm2)
    ntau = 2 (ms)
}
STATE { n }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*(v - ek)
}
INITIAL { rates(v)  n = ninf }
DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}
PROCEDURE rates(v (mV)) {
    TABLE ninf FROM -100 TO 100 WITH 200
    ninf = 1/(1 + exp(-(v + 40)/10))
}
