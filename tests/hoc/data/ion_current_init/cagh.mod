: a GHK calcium conductance reading cai and cao, written by us for bridge's tests
NEURON {
    SUFFIX cagh
    USEION ca READ cai, cao WRITE ica
    RANGE gbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (mM) = (milli/liter) }
PARAMETER {
    gbar = 0.002 (mho/cm2)
    cai = 5e-5 (mM)
    cao = 2 (mM)
}
ASSIGNED { v (mV) ica (mA/cm2) celsius (degC) }
STATE { m }
INITIAL { m = minf(v) }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar*m*m*ghk(v, cai, cao)
}
DERIVATIVE states { m' = (minf(v) - m)/2 }
FUNCTION minf(v (mV)) { minf = 1/(1 + exp(-(v + 40)/6)) }
FUNCTION ghk(v (mV), ci (mM), co (mM)) (mV) {
    LOCAL nu, f
    f = (25/293.15)*(celsius + 273.15)/2
    nu = v/f
    ghk = -f*(1 - (ci/co)*exp(nu))*nu/(exp(nu) - 1)
}
