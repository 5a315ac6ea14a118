: Potassium accumulation writing ki and ko it never READs, its INITIAL taking both from the ion
: in VERBATIM (our own file, in the style of published cardiac accumulation mechanisms).
NEURON {
  SUFFIX kacc
  USEION k READ ik WRITE ki, ko
  RANGE kb, ki_start
}
UNITS { (mM) = (milli/liter) (mA) = (milliamp) FARADAY = (faraday) (coulomb) }
PARAMETER { kb = 4 (mM) tau = 50 (ms) }
STATE { ki (mM) ko (mM) }
ASSIGNED { ik (mA/cm2) ki_start (mM) }
INITIAL {
  VERBATIM
    ki = _ion_ki;
    ko = _ion_ko;
    ki_start = _ion_ki + 0.5*_ion_ko;
  ENDVERBATIM
}
BREAKPOINT { SOLVE st METHOD cnexp }
DERIVATIVE st {
  ki' = -ik*0.01
  ko' = ik*0.05 - (ko - kb)/tau
}
