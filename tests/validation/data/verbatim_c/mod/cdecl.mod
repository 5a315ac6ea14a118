: C locals and casts in VERBATIM (our own file, written the way published mechanisms use them): a leak
: scaled by C doubles and ints computed from v (casts, C's integer division of negative values, an int
: compound assignment), a FUNCTION whose value comes from a C local the NMODL code reads by its plain name
: (`f = ret`), and a PROCEDURE whose `return 0;` closes the body of its last IF.
NEURON {
  SUFFIX cdecl
  NONSPECIFIC_CURRENT i
  RANGE g, e, frac, quot, half_v, steps, ticks
}
PARAMETER { g = 0.0003 (S/cm2) e = -60 (mV) }
ASSIGNED { v (mV) i (mA/cm2) frac quot half_v steps ticks }
INITIAL {
  VERBATIM
  int n0 = 7, d0 = -2;
  double r = (double) n0 / d0;
  steps = n0 / d0 + r;
  ENDVERBATIM
}
BREAKPOINT {
  VERBATIM
  double x = (v + 50.0) / 7.0, y;
  int k = (int) x;
  int m;
  m = k / 3;
  k += 2.7;
  y = x - (double) (k - 2);
  if (m > 0) { frac = y; } else { frac = -y; }
  quot = m + k / 2 + (double) k / 2;
  ENDVERBATIM
  half_v = halfint(v)
  tick()
  i = g * (v - e) * (1 + 0.2 * frac)
}
FUNCTION halfint(a (mV)) {
  VERBATIM
  double ret;
  ret = (int) (_la / 2.0);
  ENDVERBATIM
  halfint = ret
}
PROCEDURE tick() {
  ticks = 0
  if (v > -20) {
    ticks = 1
    VERBATIM
    return 0;
    ENDVERBATIM
  }
}
