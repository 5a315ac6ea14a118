: Test mechanism (bridge): a first-order pool of an ion whose name has a capital letter.
NEURON {
    SUFFIX upool
    USEION Ca READ iCa, Cai WRITE Cai VALENCE 2
    RANGE tau, rest
}
UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}
PARAMETER {
    tau = 20 (ms)
    rest = 1e-4 (mM)
    depth = 0.5 (um)
}
ASSIGNED { iCa (mA/cm2) }
STATE { Cai (mM) }
INITIAL { Cai = rest }
BREAKPOINT { SOLVE pool METHOD cnexp }
DERIVATIVE pool {
    Cai' = -(10000) * iCa / (2 * FARADAY * depth) + (rest - Cai) / tau
}
