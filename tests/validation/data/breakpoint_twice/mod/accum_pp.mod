: The point-process form of accum.mod: a counter read and written in BREAKPOINT, and a current from it.
NEURON {
    POINT_PROCESS AccumPP
    NONSPECIFIC_CURRENT i
    RANGE ticks, k, i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) }
PARAMETER { k = 1e-5 (nA) }
ASSIGNED { v (mV) i (nA) ticks }
INITIAL { ticks = 0 }
BREAKPOINT {
    ticks = ticks + 1
    i = -k*ticks
}
