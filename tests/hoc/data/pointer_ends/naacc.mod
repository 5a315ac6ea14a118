: Sodium accumulation, so a segment's nai moves away from the value at the section's ends.
NEURON {
    SUFFIX naacc
    USEION na READ ina WRITE nai
    RANGE k
}
PARAMETER { k = 0.05 }
ASSIGNED { ina (mA/cm2) }
STATE { nai (mM) }
INITIAL { nai = 10 }
BREAKPOINT { SOLVE s METHOD cnexp }
DERIVATIVE s { nai' = -k*ina }
