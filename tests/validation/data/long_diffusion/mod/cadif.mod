: Calcium in four radial shells (ca[4]) with radial and longitudinal diffusion, cadifus-style (bridge's own test file)
NEURON {
	SUFFIX cadif
	USEION ca READ cai, ica WRITE cai
	GLOBAL vrat
	RANGE DCa
}
DEFINE NANN 4
UNITS {
	(molar) = (1/liter)
	(mM) = (millimolar)
	(um) = (micron)
	(mA) = (milliamp)
	FARADAY = (faraday) (10000 coulomb)
	PI = (pi) (1)
}
PARAMETER { DCa = 0.6 (um2/ms) }
ASSIGNED { diam (um) ica (mA/cm2) cai (mM) vrat[NANN] }
STATE { ca[NANN] (mM) <1e-6> }
BREAKPOINT { SOLVE state METHOD sparse }
INITIAL {
	factors()
	FROM i=0 TO NANN-1 { ca[i] = cai }
}
LOCAL frat[NANN]
PROCEDURE factors() {
	LOCAL r, dr2
	r = 1/2
	dr2 = r/(NANN-1)/2
	vrat[0] = 0
	frat[0] = 2*r
	FROM i=0 TO NANN-2 {
		vrat[i] = vrat[i] + PI*(r-dr2/2)*2*dr2
		r = r - dr2
		frat[i+1] = 2*PI*r/(2*dr2)
		r = r - dr2
		vrat[i+1] = PI*(r+dr2/2)*2*dr2
	}
}
KINETIC state {
	COMPARTMENT i, diam*diam*vrat[i] {ca}
	LONGITUDINAL_DIFFUSION i, DCa*diam*diam*vrat[i] {ca}
	~ ca[0] << (-ica*PI*diam/(2*FARADAY))
	FROM i=0 TO NANN-2 {
		~ ca[i] <-> ca[i+1] (DCa*frat[i+1], DCa*frat[i+1])
	}
	cai = ca[0]
}
