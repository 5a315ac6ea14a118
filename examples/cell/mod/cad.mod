TITLE cad.mod   submembrane calcium pool of the bridge example cell

COMMENT
Calcium entering through ica fills a shell of thickness depth under the
membrane and decays to cainf with time constant taur:
    cai' = -ica / (2 F depth) + (cainf - cai) / taur
Reads ica (the sum of all calcium currents) and writes cai, so NEURON
recomputes eca from the concentrations at every step.
Written for the bridge project.
ENDCOMMENT

NEURON {
    SUFFIX cad
    USEION ca READ ica WRITE cai
    RANGE depth, taur, cainf
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    depth = 0.1 (um) <1e-9, 1e9>
    taur = 80 (ms) <1e-9, 1e9>
    cainf = 5e-5 (mM)
}

STATE {
    cai (mM) <1e-8>
}

ASSIGNED {
    ica (mA/cm2)
}

INITIAL {
    cai = cainf
}

BREAKPOINT {
    SOLVE pool METHOD cnexp
}

DERIVATIVE pool {
    : 1e4 converts mA/cm2 / (coulomb/mol * um) to mM/ms
    cai' = -(1e4) * ica / (2 * FARADAY * depth) + (cainf - cai) / taur
}
