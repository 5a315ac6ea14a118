TITLE AlphaSynapse: synaptic current with an alpha-function conductance (bridge built-in)

COMMENT
Written for bridge, with the names, units and defaults of NEURON's built-in
AlphaSynapse. The conductance is zero before `onset` [ms] and then follows
    g = gmax * x * exp(1 - x),   x = (t - onset)/tau,
which peaks at gmax [uS] when t = onset + tau; it is taken as zero again once
x > 10 (NEURON's cut-off). The current i = g*(v - e) [nA] is a membrane current
(positive is outward).
ENDCOMMENT

NEURON {
    POINT_PROCESS AlphaSynapse
    RANGE onset, tau, gmax, e, i
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    onset = 0 (ms)
    tau = 0.1 (ms) <1e-3, 1e6>
    gmax = 0 (uS) <0, 1e9>
    e = 0 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
}

BREAKPOINT {
    g = gmax * alpha((t - onset)/tau)
    i = g*(v - e)
}

FUNCTION alpha(x) {
    : x * exp(1 - x) on 0 <= x <= 10, zero outside
    if (x >= 0 && x <= 10) {
        alpha = x * exp(1 - x)
    } else {
        alpha = 0
    }
}
