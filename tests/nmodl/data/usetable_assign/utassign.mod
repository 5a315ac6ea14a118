: usetable assigned in the code: nocmodl makes it the GLOBAL usetable_utassign, switched off while the model runs
NEURON { SUFFIX utassign RANGE g }
PARAMETER { g = 0.001 }
ASSIGNED { v (mV) i (mA/cm2) a }
BREAKPOINT {
    usetable = 0
    a = f(v)
    i = g*a*(v + 70)
}
FUNCTION f(x) {
    TABLE FROM -100 TO 100 WITH 200
    f = exp(x/50)
}
NEURON { NONSPECIFIC_CURRENT i }
