: Our own test file: a file-level LOCAL read and then assigned in BREAKPOINT (one C static in NEURON), so it
: passes from instance to instance, and through both of nrn_cur's runs of each instance. Its share of the
: current is small, so the difference of the two runs (NEURON's conductance estimate) stays well conditioned.
NEURON {
    SUFFIX sharedl
    NONSPECIFIC_CURRENT i
    RANGE g, w, e
}
PARAMETER {
    g = 0.0001
    e = -70
    w = 0.3
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
}
LOCAL acc
INITIAL { acc = 0 }
BREAKPOINT {
    acc = acc + w*(1 + 0.001*v)
    i = g*(v - e) + 1e-6*sin(acc)
}
