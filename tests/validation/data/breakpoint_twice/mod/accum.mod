: A current whose BREAKPOINT reads what its previous run left (an accumulator): nocmodl's nrn_cur runs
: BREAKPOINT twice per step (at v + 0.001, then at v), so the accumulator moves twice per step.
NEURON {
    SUFFIX accum
    NONSPECIFIC_CURRENT i
    RANGE g, e, k, ticks, acc
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { g = 1e-4 (S/cm2) e = -70 (mV) k = 2e-7 }
ASSIGNED { v (mV) i (mA/cm2) ticks acc }
INITIAL { ticks = 0 acc = 0 }
BREAKPOINT {
    ticks = ticks + 1
    acc = acc + k*(v - e)
    i = g*(v - e) + acc
}
