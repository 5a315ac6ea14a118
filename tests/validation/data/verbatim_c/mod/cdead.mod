: C that only HOC can run (our own file, written the way published mechanisms keep helper code HOC calls, as
: VectorSynNS.mod's addspiketrain() and asin.mod's exp_i()): a PROCEDURE with a C loop, a FUNCTION that calls
: it; nothing of the mechanism's own blocks calls either, so a run that HOC does not make call them never
: runs that C. The leak itself is NMODL and C of the subset.
NEURON {
  SUFFIX cdead
  NONSPECIFIC_CURRENT i
  RANGE g, e, total
}
PARAMETER { g = 0.0002 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) total }
BREAKPOINT {
  VERBATIM
  i = g * (v - e);
  ENDVERBATIM
}
PROCEDURE fill(n) {
  VERBATIM
  { int k; double s = 0; for (k = 0; k < (int) _ln; k++) { s += k; } total = s; }
  ENDVERBATIM
}
FUNCTION filled(n) {
  fill(n)
  filled = total
}
