: a calcium pool whose STATE cai is written from the calcium current and relaxes to a resting value,
: written by us for bridge's tests
NEURON {
    SUFFIX capool
    USEION ca READ ica WRITE cai
    RANGE depth, tau, cainf
}
UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    F = (faraday) (coulombs)
}
PARAMETER {
    depth = 0.5 (um)
    tau = 20 (ms)
    cainf = 1e-4 (mM)
}
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
BREAKPOINT { SOLVE pool METHOD cnexp }
DERIVATIVE pool {
    cai' = -ica/depth/F/2*(1e4) + (cainf - cai)/tau
}
