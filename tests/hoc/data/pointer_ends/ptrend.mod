: Reads two POINTERs and turns them into a small current, so the traces show what they point to.
NEURON {
    SUFFIX ptrend
    POINTER pa, pb
    RANGE g
    NONSPECIFIC_CURRENT i
}
PARAMETER { g = 1e-4 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) pa pb }
BREAKPOINT { i = g*(v - 100*pa - 10*pb) }
