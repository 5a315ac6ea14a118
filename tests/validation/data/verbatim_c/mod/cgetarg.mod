: FUNCTIONs whose VERBATIM C reads HOC's arguments with *getarg(k) (our own file, written the way ModelDB 148253's
: asin.mod does: `ret = asin(*getarg(1));`), which HOC calls to set up the run; nothing of the run calls them.
NEURON {
  SUFFIX cgetarg
  NONSPECIFIC_CURRENT i
  RANGE g, e
}
PARAMETER { g = 0.0002 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g * (v - e) }
FUNCTION my_asin(arg) {
  VERBATIM
  double ret;
  ret = asin(*getarg(1));
  ENDVERBATIM
  my_asin = ret
}
FUNCTION mix(a, b) {
  VERBATIM
  _lmix = *getarg(1) * 2.0 + exp(*getarg(2)) / 3.0;
  ENDVERBATIM
}
