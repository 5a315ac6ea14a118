: a leak whose conductance scales with a diameter it reads through a POINTER, written by us for bridge's
: tests (ModelDB 222321's accum.mod reads another section's diam so: setpointer soma.diamp_accum(x), psoma.diam(x))
NEURON {
    SUFFIX dleak
    NONSPECIFIC_CURRENT i
    RANGE g, e, dseen
    POINTER dp
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}
PARAMETER {
    g = 1e-4 (S/cm2)
    e = -50 (mV)
}
ASSIGNED { v (mV) i (mA/cm2) dp (micron) dseen (micron) }
INITIAL { dseen = dp }
BREAKPOINT {
    dseen = dp
    i = g * dp / 10 * (v - e)
}
