: A leak scaled by a factor VERBATIM computes from v, a PROCEDURE with C locals, arguments, if/else,
: compound assignments, math calls, printf and a final return 0, and file-level C that compiles to
: nothing (our own file, written the way published channels use these idioms).
VERBATIM
#include <math.h>
#include <stdio.h>
static const char rcsid[] = "$Id: vatt.mod,v 1.1 2024/01/01 bridge $";
ENDVERBATIM
NEURON {
  SUFFIX vatt
  NONSPECIFIC_CURRENT i
  RANGE g, e, v_atten, w, level
}
PARAMETER { g = 0.0005 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) v_atten w level }
INITIAL {
  w = 0
  level = 0
  scale(2.5)
}
BREAKPOINT {
  VERBATIM
  v_atten = (v + 60.0) / (60.0);
  if (v_atten < 0.1) v_atten = 0.1; else if (v_atten > 2) { v_atten = 2; }
  ENDVERBATIM
  i = g*v_atten*(v - e)
  w = f(v)
}
PROCEDURE scale(a) {
  LOCAL b
  b = 3
  VERBATIM
  printf("scale %g\n", _la);
  _lb *= _la;
  _lb -= 1;
  level = exp(-_lb/10.0) + fabs(_la - 4) + pow(_la, 2);
  if (!(level > 5) && (_la >= 2 || _lb != 0)) { level += 1e-3; }
  return 0;
  ENDVERBATIM
}
FUNCTION f(x (mV)) {
  VERBATIM
  _lf = (_lx + 65.0)/2.0;
  if (_lf > 10) { _lf = 10.0 + (_lf - 10)*0.5; }
  ENDVERBATIM
}
