: A calcium channel (our own file) feeding the pools of this folder.
NEURON {
    SUFFIX calt
    USEION ca READ eca WRITE ica
    RANGE gbar
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gbar = 0.02 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) }
STATE { m }
INITIAL { m = minf(v) }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar*m*m*(v - eca)
}
DERIVATIVE states { m' = (minf(v) - m)/1.5 }
FUNCTION minf(v (mV)) { minf = 1/(1 + exp(-(v + 50)/6)) }
