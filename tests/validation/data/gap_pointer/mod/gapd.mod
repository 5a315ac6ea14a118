: A gap junction as a density mechanism (our own file): per segment, a POINTER to another segment's v
NEURON {
    SUFFIX gapd
    POINTER vgap
    RANGE g, i
    NONSPECIFIC_CURRENT i
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { g = 1e-3 (S/cm2) }
ASSIGNED { v (mV) vgap (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - vgap) }
