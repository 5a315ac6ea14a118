: Owns the GLOBAL that scaled.mod reads (our own file); its own current is small
NEURON {
    SUFFIX scaler
    NONSPECIFIC_CURRENT i
    GLOBAL gscale
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gscale = 1 }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = 1e-5*gscale*(v + 65) }
