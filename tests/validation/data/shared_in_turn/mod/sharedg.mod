: Our own test file: GLOBALs a PROCEDURE the SOLVEd DERIVATIVE calls reads and then assigns (`lag`), and an
: array GLOBAL assigned one element at a time (`inf`, as ModelDB 3263's nahh.mod does): one C variable in
: NEURON, so each instance starts from what the previous one left.
NEURON {
    SUFFIX sharedg
    NONSPECIFIC_CURRENT i
    RANGE g, k, e
    GLOBAL inf, lag
}
PARAMETER {
    g = 0.002
    k = 1
    e = -80
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    inf[2]
    lag
}
STATE { m h }
INITIAL {
    lag = -65
    rates(v)
    m = inf[0]
    h = inf[1]
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g*m*h*(v - e)
}
DERIVATIVE states {
    rates(v)
    m' = (inf[0] - m)/2
    h' = (inf[1] - h)/7
}
PROCEDURE rates(u) {
    lag = lag + 0.3*k*(u - lag)
    FROM j = 0 TO 1 {
        inf[j] = 1/(1 + exp((1 - 2*j)*(-(lag + 55 + 10*j))/4))
    }
}
