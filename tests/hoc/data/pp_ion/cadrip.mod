: a point process that reads cai and writes a calcium current through eca, written by us for bridge's
: tests (a synapse with a calcium share, as ModelDB 146565's glutamate_old: USEION ca WRITE ica)
NEURON {
    POINT_PROCESS cadrip
    USEION ca READ cai, eca WRITE ica
    RANGE gmax, onset, dur
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
    (mM) = (milli/liter)
}
PARAMETER {
    gmax = 0.002 (uS)
    onset = 2 (ms)
    dur = 3 (ms)
}
ASSIGNED { v (mV) ica (nA) cai (mM) eca (mV) }
BREAKPOINT {
    if (t >= onset && t < onset + dur) {
        ica = gmax * (v - eca) * cai / (cai + 1e-3)
    } else {
        ica = 0
    }
}
