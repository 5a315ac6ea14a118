TITLE APCount: counts the times v crosses thresh upward (bridge built-in)

COMMENT
Written for bridge, with the names, units and defaults of NEURON's built-in
APCount (src/nrnoc/apcount.mod). n counts the upward crossings of thresh [mV]
by the v of the segment it is in; time [ms] is the t of the last one; firing
is 1 while v stays at or above thresh. The check runs in INITIAL and, as NEURON's
SOLVE check METHOD after_cvode in the fixed step, once v has been advanced
(nrn_state), so the t of a crossing is the end of the step in which v reached
thresh. n and time are PARAMETERs, as in NEURON, so HOC may assign them (`apc.time = 1e7`):
INITIAL resets n but not time, and firing is reset only once t > time. NEURON's
apc.record(vec) (VERBATIM there) is HOC's, not this file's.
ENDCOMMENT

NEURON {
    POINT_PROCESS APCount
    RANGE n, thresh, time, firing
}

UNITS {
    (mV) = (millivolt)
}

PARAMETER {
    n
    thresh = -20 (mV)
    time (ms)
}

ASSIGNED {
    v (mV)
    firing
}

INITIAL {
    n = 0
    firing = 0
    check()
}

BREAKPOINT {
    SOLVE check METHOD after_cvode
}

PROCEDURE check() {
    if (v >= thresh && !firing) {
        firing = 1
        time = t
        n = n + 1
    }
    if (firing && v < thresh && t > time) {
        firing = 0
    }
}
