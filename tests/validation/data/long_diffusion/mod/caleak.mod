: A calcium current without transcendental functions: ica = gcal*(v - ecal) with a fixed ecal (bridge's own test file)
NEURON {
	SUFFIX caleak
	USEION ca WRITE ica
	RANGE gcal, ecal
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gcal = 2e-7 (S/cm2) ecal = 120 (mV) }
ASSIGNED { v (mV) ica (mA/cm2) }
BREAKPOINT { ica = gcal*(v - ecal) }
