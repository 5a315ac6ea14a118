TITLE pas: leak conductance with a fixed reversal potential (bridge built-in)

COMMENT
Passive membrane: a constant conductance g [S/cm2] driving the membrane
towards e [mV]. Written for bridge; equations, names, units and defaults
are those of NEURON's built-in `pas`.
ENDCOMMENT

NEURON {
    SUFFIX pas
    NONSPECIFIC_CURRENT i
    RANGE g, e
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S)  = (siemens)
}

PARAMETER {
    g = 0.001 (S/cm2) <0, 1e9>
    e = -70   (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
}

BREAKPOINT {
    i = g*(v - e)
}
