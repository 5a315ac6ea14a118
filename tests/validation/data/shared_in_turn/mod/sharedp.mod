: Our own test file: a GLOBAL assigned on some paths only (under an IF), in INITIAL and in BREAKPOINT: an
: instance that does not assign it reads what the last assigning instance left.
NEURON {
    SUFFIX sharedp
    NONSPECIFIC_CURRENT i
    RANGE g, vth
    GLOBAL vlast
}
PARAMETER {
    g = 0.0003
    vth = -60
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    vlast
}
INITIAL {
    if (vth < -62) {
        vlast = v - vth - 75
    }
}
BREAKPOINT {
    if (v > vth) {
        vlast = v
    }
    i = g*(v - vlast)
}
