: A point process of ours that is the only user of ion xx: NEURON registers xx_ion (xxi0_xx_ion,
: xxo0_xx_ion) before any HOC runs. It writes xxi (so finitialize sets xxi and xxo from the ion's globals),
: its current follows the ratio of the concentrations; GLOBAL gmax.
NEURON {
    POINT_PROCESS uxpp
    USEION xx READ xxo WRITE xxi VALENCE 1
    NONSPECIFIC_CURRENT i
    GLOBAL gmax
}
UNITS { (mV) = (millivolt) (nA) = (nanoamp) (uS) = (microsiemens) (mM) = (milli/liter) }
PARAMETER { gmax = 0.01 (uS) }
ASSIGNED { v (mV) i (nA) xxi (mM) xxo (mM) }
BREAKPOINT { i = gmax * (v - 25 * log(xxo / xxi)) }
