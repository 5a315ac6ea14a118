: An inward rectifier on an ion of its own (kir), whose reversal potential the HOC sets.
NEURON {
    SUFFIX kirchan
    USEION kir READ ekir WRITE ikir VALENCE 1
    RANGE gbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { gbar = 0.002 (S/cm2) }
ASSIGNED { v (mV) ekir (mV) ikir (mA/cm2) }
BREAKPOINT { ikir = gbar / (1 + exp((v + 80) / 12)) * (v - ekir) }
