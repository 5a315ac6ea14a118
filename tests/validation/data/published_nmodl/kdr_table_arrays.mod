: A delayed rectifier in the style of many published channels (our own file): the gates'
: steady states and per-step factors are arrays tabulated by one TABLE of a PROCEDURE that
: fills them in a FROM loop; `inf` is a GLOBAL array, `fac` a file-level LOCAL array; the
: rate functions branch on v (a guarded x/(exp(x/y) - 1)).
NEURON {
    SUFFIX kdrtab
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL inf
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { v (mV) dt (ms) gbar = 0.01 (mho/cm2) ek = -80 (mV) celsius = 20 (degC) }
STATE { n h }
ASSIGNED { ik (mA/cm2) inf[2] }
LOCAL fac[2]
INITIAL { rate(v*1(/mV)) n = inf[0] h = inf[1] }
BREAKPOINT {
    SOLVE update
    ik = gbar*n*n*n*h*(v - ek)
}
PROCEDURE update() {
    rate(v*1(/mV))
    n = n + fac[0]*(inf[0] - n)
    h = h + fac[1]*(inf[1] - h)
}
UNITSOFF
FUNCTION alpha(v, j) { LOCAL q
    q = 2^((celsius - 20)/10)
    if (j == 0) {
        alpha = q*0.03*vtrap(-(v + 30), 8)
    } else if (j == 1) {
        alpha = q*0.01/(1 + exp((v + 50)/9))
    }
}
FUNCTION beta(v, j) { LOCAL q
    q = 2^((celsius - 20)/10)
    if (j == 0) {
        beta = q*0.02*exp(-(v + 40)/30)
    } else if (j == 1) {
        beta = q*0.01/(1 + exp(-(v + 20)/9))
    }
}
FUNCTION vtrap(x, y) {
    if (fabs(x/y) < 1e-6) {
        vtrap = y*(1 - x/y/2)
    } else {
        vtrap = x/(exp(x/y) - 1)
    }
}
PROCEDURE rate(v) { LOCAL a, b, tau
    TABLE inf, fac DEPEND dt, celsius FROM -160 TO 100 WITH 200
    FROM j = 0 TO 1 {
        a = alpha(v, j) b = beta(v, j)
        tau = 1/(a + b)
        inf[j] = a/(a + b)
        fac[j] = 1 - exp(-dt/tau)
    }
}
UNITSON
