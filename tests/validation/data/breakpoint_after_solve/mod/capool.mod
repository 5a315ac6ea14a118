: A calcium pool that writes cai and no current; its BREAKPOINT clamps cai after the SOLVE
: and computes a RANGE variable from it (nocmodl runs these statements in nrn_state).
NEURON {
    SUFFIX capool
    USEION ca READ ica WRITE cai
    RANGE tau, depth, level
    GLOBAL cafloor, ceiling
}
UNITS { (mA) = (milliamp) (mM) = (milli/liter) (um) = (micron) FARADAY = (faraday) (coulomb) }
PARAMETER {
    tau = 20 (ms)
    depth = 0.1 (um)
    cafloor = 1e-5 (mM)
    ceiling = 2e-4 (mM)
}
ASSIGNED { ica (mA/cm2) level (1) }
STATE { cai (mM) }
INITIAL { cai = 5e-5 }
BREAKPOINT {
    SOLVE pool METHOD cnexp
    if (cai < cafloor) { cai = cafloor }
    if (cai > ceiling) { cai = ceiling }
    level = cai / ceiling
}
DERIVATIVE pool {
    cai' = -ica / (2 * FARADAY * depth) * (1e4) - (cai - cafloor) / tau
}
