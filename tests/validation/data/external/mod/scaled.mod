: A leak scaled by another mechanism's GLOBAL through EXTERNAL (our own file)
NEURON {
    SUFFIX scaled
    NONSPECIFIC_CURRENT i
    RANGE g
    EXTERNAL gscale_scaler
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { g = 2e-4 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) gscale_scaler }
BREAKPOINT { i = g*gscale_scaler*(v + 50) }
