: A leak whose BREAKPOINT reads t (ours): finitialize evaluates it at t = 0, each step at t + dt/2.
NEURON {
    SUFFIX tread
    NONSPECIFIC_CURRENT i
    RANGE g, e, tb
}
PARAMETER {
    g = 0.001 (S/cm2)
    e = -70 (mV)
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    tb (ms)
}
BREAKPOINT {
    tb = t
    i = g*(v - e)*(1 + 0.01*t)
}
