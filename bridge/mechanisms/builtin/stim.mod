TITLE IClamp: rectangular current pulse injected through an electrode (bridge built-in)

COMMENT
Injects amp [nA] from t = del to t = del + dur [ms]. The current is an
electrode current: positive i depolarises. Written for bridge; names, units
and defaults are those of NEURON's built-in IClamp. In a fixed step the
solver evaluates BREAKPOINT at the step midpoint, as NEURON does.
ENDCOMMENT

NEURON {
    POINT_PROCESS IClamp
    RANGE del, dur, amp, i
    ELECTRODE_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
}

PARAMETER {
    del (ms)
    dur (ms) <0, 1e9>
    amp (nA)
}

ASSIGNED {
    i (nA)
}

INITIAL {
    i = 0
}

BREAKPOINT {
    if (t < del + dur && t >= del) {
        i = amp
    } else {
        i = 0
    }
}
