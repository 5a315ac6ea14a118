: depth: an ASSIGNED in neither RANGE nor GLOBAL set in INITIAL from diam, read in DERIVATIVE (NEURON 9: per instance)
NEURON {
    SUFFIX cadi
    USEION ca READ ica WRITE cai
    RANGE B
}
UNITS { (mM) = (milli/liter) (um) = (micron) (mA) = (milliamp) FARADAY = (faraday) (coulomb) }
PARAMETER { diam (um) tau = 20 (ms) cainf = 100e-6 (mM) }
STATE { ca (mM) }
ASSIGNED { ica (mA/cm2) cai (mM) depth (um) B }
INITIAL { depth = diam/4 B = -(1e4)/(2*FARADAY*depth) ca = cainf cai = ca }
BREAKPOINT { SOLVE state METHOD cnexp }
DERIVATIVE state {
    ca' = -(1e4)*ica/(2*FARADAY*depth) + (cainf - ca)/tau
    cai = ca
}
