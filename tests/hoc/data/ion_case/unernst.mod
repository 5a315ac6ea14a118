: Test mechanism (bridge): an ohmic current of ion `Ca` driven by its reversal potential eCa.
NEURON {
    SUFFIX unernst
    USEION Ca READ eCa WRITE iCa VALENCE 2
    RANGE g
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { g = 2e-5 (S/cm2) }
ASSIGNED { v (mV) eCa (mV) iCa (mA/cm2) }
BREAKPOINT { iCa = g * (v - eCa) }
