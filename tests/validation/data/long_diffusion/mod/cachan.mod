: A calcium current with one activation gate (bridge's own test file)
NEURON {
	SUFFIX cachan
	USEION ca READ eca WRITE ica
	RANGE gcabar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gcabar = 0.002 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) minf mtau (ms) }
STATE { m }
BREAKPOINT {
	SOLVE states METHOD cnexp
	ica = gcabar*m*m*(v - eca)
}
INITIAL { rates(v) m = minf }
DERIVATIVE states { rates(v) m' = (minf - m)/mtau }
PROCEDURE rates(v (mV)) {
	minf = 1/(1 + exp(-(v + 20)/5))
	mtau = 0.5 + 2/(1 + exp((v + 30)/10))
}
