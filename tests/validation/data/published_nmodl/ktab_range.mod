: A potassium channel in the style of many published ones (our own file): the TABLE of
: trates runs FROM vmin TO vmax, two GLOBAL PARAMETERs, and DEPENDs on several globals;
: rates() also sets the assigned a, b and the GLOBAL tadj, which BREAKPOINT reads.
NEURON {
    SUFFIX ktabr
    USEION k READ ek WRITE ik
    RANGE gbar, gk
    GLOBAL ninf, ntau, Ra, Rb, tha, qa, temp, q10, vmin, vmax, tadj
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (pS) = (picosiemens) (um) = (micron) }
PARAMETER {
    gbar = 100 (pS/um2)
    tha = 25 (mV) qa = 9 (mV) Ra = 0.02 (/ms) Rb = 0.002 (/ms)
    temp = 23 (degC) q10 = 2.3 vmin = -120 (mV) vmax = 100 (mV)
}
ASSIGNED { v (mV) celsius (degC) ek (mV) ik (mA/cm2) gk (pS/um2) a (/ms) b (/ms) tadj ninf ntau (ms) }
STATE { n }
INITIAL { trates(v) n = ninf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    gk = tadj*gbar*n
    ik = (1e-4)*gk*(v - ek)
}
DERIVATIVE states {
    trates(v)
    n' = (ninf - n)/ntau
}
PROCEDURE trates(v (mV)) {
    TABLE ninf, ntau DEPEND celsius, temp, Ra, Rb, tha, qa FROM vmin TO vmax WITH 1600
    rates(v)
}
PROCEDURE rates(v (mV)) {
    a = Ra*(v - tha)/(1 - exp(-(v - tha)/qa))
    b = -Rb*(v - tha)/(1 - exp((v - tha)/qa))
    tadj = q10^((celsius - temp)/10)
    ntau = 1/tadj/(a + b)
    if (ntau < 1e-7) { ntau = 1e-7 }
    ninf = a/(a + b)
}
