: depth and taur: GLOBAL PARAMETERs assigned in the DERIVATIVE block before their use
NEURON {
    SUFFIX cadg
    USEION ca READ ica WRITE cai
    GLOBAL depth, taur
}
UNITS { (mM) = (milli/liter) (um) = (micron) (mA) = (milliamp) FARADAY = (faraday) (coulomb) }
PARAMETER { diam (um) depth = 0.1 (um) taur = 15 (ms) kb = 20 gamma = 1.2 (1/ms) cainf = 100e-6 (mM) }
STATE { ca (mM) }
ASSIGNED { ica (mA/cm2) cai (mM) drive (mM/ms) }
INITIAL { ca = cainf cai = ca }
BREAKPOINT { SOLVE state METHOD cnexp }
DERIVATIVE state {
    depth = diam/4
    drive = -(10000)*ica/(2*FARADAY*depth)
    if (drive <= 0) { drive = 0 }
    taur = kb/gamma
    ca' = drive/kb + (cainf - ca)/taur
    cai = ca
}
