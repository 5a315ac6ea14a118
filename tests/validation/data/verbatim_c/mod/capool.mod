: A calcium pool that takes cai from the ion in VERBATIM, as published pools do (our own file):
: INITIAL copies the ion's cai into its STATE and a resting level; BREAKPOINT (after the SOLVE:
: the pool writes no current) reads the ion's cai before the pool writes its own back.
NEURON {
  SUFFIX capool
  USEION ca READ ica, cai WRITE cai
  RANGE tau, carest, cabefore
}
UNITS { (mM) = (milli/liter) (mA) = (milliamp) FARADAY = (faraday) (coulomb) (um) = (micron) }
PARAMETER { tau = 20 (ms) depth = 0.5 (um) }
STATE { cai (mM) }
ASSIGNED { ica (mA/cm2) carest (mM) cabefore (mM) }
INITIAL {
  VERBATIM
  cai = _ion_cai;
  carest = _ion_cai;   /* the level the pool relaxes to */
  ENDVERBATIM
  cabefore = 0
}
BREAKPOINT {
  SOLVE st METHOD cnexp
  VERBATIM
  cabefore = _ion_cai;
  ENDVERBATIM
}
DERIVATIVE st { cai' = -ica*(1e4)/(2*FARADAY*depth) - (cai - carest)/tau }
