: A file with no NEURON block: NEURON names the density mechanism after the file (mathlib),
: its FUNCTIONs are HOC functions twice_mathlib(), ... and its PARAMETERs are GLOBALs.

PARAMETER {
    gain = 1.5
}

FUNCTION twice(x) {
    twice = 2*x*gain
}

FUNCTION logistic(x) {
    logistic = 1/(1 + exp(-x))
}
