: a calcium channel that reads eca (Nernst from the concentrations), written by us for bridge's tests
NEURON {
    SUFFIX cachan
    USEION ca READ eca WRITE ica
    RANGE gbar
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}
PARAMETER { gbar = 1e-4 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) }
BREAKPOINT { ica = gbar * (v - eca) }
