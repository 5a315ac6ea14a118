: File-level C functions in VERBATIM, called from C in BREAKPOINT, INITIAL and a PROCEDURE (our own file,
: written the way published mechanisms use them: passiv.mod's empty `void in_passiv_breakpoint() {}` defined
: after the BREAKPOINT that calls it; static double helpers with C locals, an int cast, if/else returns, one
: calling another, a math function).
NEURON {
  SUFFIX cfunc
  NONSPECIFIC_CURRENT i
  RANGE g, e, scale, clip, start
}
PARAMETER { g = 0.0003 (S/cm2) e = -60 (mV) }
ASSIGNED { v (mV) i (mA/cm2) scale clip start }
VERBATIM
#include <math.h>
static double sigmoid(double x, double half) {
  double z = (x - half) / 5.0;
  return 1.0 / (1.0 + exp(-z));
}
double clamp(double x, double lo, double hi) {
  int k;
  k = (int) (x / 10.0);
  if (x < lo) {
    return lo + 0.1 * k;
  } else if (x > hi)
    return hi + sigmoid(x, hi);
  else {
    double y = x;
    return y;
  }
}
ENDVERBATIM
INITIAL {
  VERBATIM
  start = clamp(v, -70.0, -20.0) * 2;
  ENDVERBATIM
  scale = 0
}
BREAKPOINT {
  VERBATIM
  in_cfunc_breakpoint();
  scale = sigmoid(v, -40.0);
  ENDVERBATIM
  setclip(v)
  i = g * (v - e) * (1 + 0.2 * scale)
}
PROCEDURE setclip(x (mV)) {
  VERBATIM
  clip = clamp(_lx, -65.0, -30.0);
  ENDVERBATIM
}
VERBATIM
void in_cfunc_breakpoint() {}
ENDVERBATIM
