: A train of kicks from a FROM loop whose end is a RANGE PARAMETER (Nspike differs between instances): the loop
: runs as a traced while loop, with an IF on at_time() inside (the pattern of ModelDB 146565's synapses).
NEURON {
    POINT_PROCESS Train
    RANGE del, Tspike, Nspike, gmax, tau, e, i
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { del = 5 (ms) Tspike = 10 (ms) Nspike = 3 gmax = 0.01 (uS) tau = 3 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) }
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    LOCAL count
    SOLVE state METHOD cnexp
    FROM count = 0 TO Nspike - 1 {
        IF (at_time(count*Tspike + del)) {
            state_discontinuity(g, g + gmax)
        }
    }
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
