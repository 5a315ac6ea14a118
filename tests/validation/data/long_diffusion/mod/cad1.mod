: One calcium shell: a scalar STATE with longitudinal diffusion and a pump (bridge's own test file)
NEURON {
	SUFFIX cad1
	USEION ca READ ica WRITE cai
	RANGE D, taur
}
UNITS {
	(molar) = (1/liter)
	(mM) = (millimolar)
	(um) = (micron)
	(mA) = (milliamp)
	FARADAY = (faraday) (10000 coulomb)
	PI = (pi) (1)
}
PARAMETER { D = 0.6 (um2/ms) taur = 20 (ms) cainf = 5e-5 (mM) }
ASSIGNED { diam (um) ica (mA/cm2) cai (mM) }
STATE { ca (mM) }
INITIAL { ca = cai }
BREAKPOINT { SOLVE state METHOD sparse }
KINETIC state {
	COMPARTMENT PI*diam*diam/4 {ca}
	LONGITUDINAL_DIFFUSION D*PI*diam*diam/4 {ca}
	~ ca << (-ica*PI*diam*(1e4)/(2*FARADAY) - (ca - cainf)*PI*diam*diam/4/taur)
	cai = ca
}
