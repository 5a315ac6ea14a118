: Test mechanism (bridge): a GHK calcium current that reads both concentrations of ion `Ca`.
NEURON {
    SUFFIX ughk
    USEION Ca READ Cai, Cao WRITE iCa VALENCE 2
    RANGE pmax
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    FARADAY = 96485.3 (coul)
    R = 8.31446 (volt-coul/degC)
}
PARAMETER { pmax = 2e-5 (cm/s) }
ASSIGNED {
    v (mV)
    celsius (degC)
    Cai (mM)
    Cao (mM)
    iCa (mA/cm2)
    minf
}
STATE { m }
INITIAL { minf = 1 / (1 + exp(-(v + 30) / 6))  m = minf }
BREAKPOINT {
    SOLVE gate METHOD cnexp
    iCa = pmax * m * m * flux(v, Cai, Cao)
}
DERIVATIVE gate {
    minf = 1 / (1 + exp(-(v + 30) / 6))
    m' = (minf - m) / 1.5
}
FUNCTION flux(v (mV), ci (mM), co (mM)) (mA/cm2) { LOCAL w
    w = v * 0.002 * FARADAY / (R * (celsius + 273.15))
    if (fabs(w) > 1e-4) {
        flux = -0.002 * FARADAY * (co - ci * exp(w)) * w / (exp(w) - 1)
    } else {
        flux = -0.002 * FARADAY * (co - ci * exp(w)) * (1 - w / 2)
    }
}
