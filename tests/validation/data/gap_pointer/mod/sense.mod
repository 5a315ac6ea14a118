: A current driven through POINTERs by another section's calcium and another mechanism's STATE
: (our own file, in the style of published synapses that read a presynaptic cai or a gate)
NEURON {
    POINT_PROCESS Sense
    POINTER pc, pm, pg
    RANGE g, kd, i
    NONSPECIFIC_CURRENT i
}
UNITS { (mV) = (millivolt) (nA) = (nanoamp) (mM) = (milli/liter) (uS) = (microsiemens) }
PARAMETER { g = 0.05 (uS) kd = 5e-4 (mM) }
ASSIGNED { v (mV) pc (mM) pm pg i (nA) }
BREAKPOINT { i = g*(pc/(pc + kd))*pm*(1 + 10*pg)*(v + 80) }
