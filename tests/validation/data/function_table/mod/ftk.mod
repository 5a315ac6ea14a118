: A potassium-like current whose kinetics come from FUNCTION_TABLEs filled from HOC (our own file,
: in the style of published channels with measured tau and steady-state curves)
NEURON {
    SUFFIX ftk
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.02 (S/cm2) e = -80 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
STATE { n }
FUNCTION_TABLE taun(v(mV)) (ms)
FUNCTION_TABLE ninf(v(mV), celsius(degC))
FUNCTION_TABLE scale(v(mV))
FUNCTION_TABLE gmod(v(mV))
INITIAL { n = ninf(v, celsius) }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*scale(v)*gmod(v)*n*n*(v - e)
}
DERIVATIVE states { n' = (ninf(v, celsius) - n)/taun(v) }
