: A TABLE whose PROCEDURE reads a FUNCTION_TABLE (a published pattern: the time constant tabulated in HOC,
: the rates tabulated by NEURON's TABLE from it).
NEURON {
    SUFFIX fttab
    USEION k READ ek WRITE ik
    RANGE gbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gbar = 0.02 (S/cm2) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf ntau (ms) }
STATE { n }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*n*n*n*(v - ek)
}
INITIAL { rates(v) n = ninf }
DERIVATIVE states { rates(v) n' = (ninf - n)/ntau }
FUNCTION_TABLE tabntau(v (mV)) (ms)
PROCEDURE rates(v (mV)) {
    TABLE ninf, ntau FROM -100 TO 60 WITH 160
    ninf = 1/(1 + exp(-(v + 40)/9))
    ntau = tabntau(v)
}
