: A three-state KINETIC channel with CONSERVE, ours, for tests/hoc/test_play_assigned.py (a played STATE of a
: sparse-solved scheme)
NEURON {
    SUFFIX kch
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.02 (S/cm2)  e = -80 (mV) }
ASSIGNED { v (mV) i (mA/cm2) a (/ms) b (/ms) }
STATE { c1 c2 o }
BREAKPOINT {
    SOLVE scheme METHOD sparse
    i = gbar*o*(v - e)
}
INITIAL { SOLVE scheme STEADYSTATE sparse }
KINETIC scheme {
    rates(v)
    ~ c1 <-> c2 (a, b)
    ~ c2 <-> o (2*a, b)
    CONSERVE c1 + c2 + o = 1
}
PROCEDURE rates(v (mV)) {
    a = 0.2*exp(v/25)
    b = 0.1*exp(-v/30)
}
