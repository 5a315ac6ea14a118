: A calcium-activated potassium current reading cai (bridge's own test file)
NEURON {
	SUFFIX kca
	USEION ca READ cai
	USEION k READ ek WRITE ik
	RANGE gkbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) (mM) = (milli/liter) }
PARAMETER { gkbar = 0.01 (S/cm2) kd = 0.002 (mM) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) cai (mM) }
BREAKPOINT { ik = gkbar*cai/(cai + kd)*(v - ek) }
