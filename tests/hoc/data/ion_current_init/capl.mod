: a calcium pool whose INITIAL reads the calcium current (a resting current) and
: whose STATE cai relaxes to it, written by us for bridge's tests
NEURON {
    SUFFIX capl
    USEION ca READ ica WRITE cai
    NONSPECIFIC_CURRENT i
    RANGE depth, tau, cai0, irest
}
UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    F = (faraday) (coulombs)
}
PARAMETER {
    depth = 0.5 (um)
    irest = 0 (mA/cm2)
    tau = 20 (ms)
    cai0 = 5e-5 (mM)
}
ASSIGNED { ica (mA/cm2) i (mA/cm2) }
STATE { cai (mM) }
INITIAL {
    cai = cai0
    irest = ica
}
BREAKPOINT {
    SOLVE pool METHOD derivimplicit
    i = 0
}
DERIVATIVE pool {
    cai' = (irest - ica)/depth/F/2*(1e4) + (cai0 - cai)/tau
}
