: A gap junction half, written in the style of published models (a POINTER to the other side's v)
NEURON {
    POINT_PROCESS Gap
    POINTER vgap
    RANGE g, i
    NONSPECIFIC_CURRENT i
}
PARAMETER { g = 0.01 (uS) }
ASSIGNED { v (mV) vgap (mV) i (nA) }
BREAKPOINT { i = g*(v - vgap) }
