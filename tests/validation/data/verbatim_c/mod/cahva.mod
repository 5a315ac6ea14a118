: A high-voltage-activated calcium current with one gate, reading eca from cai.
NEURON {
    SUFFIX cahva
    USEION ca READ eca WRITE ica
    RANGE gbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { gbar = 0.002 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) minf mtau (ms) }
STATE { m }
INITIAL { rates(v) m = minf }
BREAKPOINT {
    SOLVE gate METHOD cnexp
    ica = gbar * m * m * (v - eca)
}
DERIVATIVE gate { rates(v) m' = (minf - m) / mtau }
PROCEDURE rates(v (mV)) {
    minf = 1 / (1 + exp(-(v + 20) / 6))
    mtau = 1 + 2 / (1 + exp((v + 30) / 10))
}
