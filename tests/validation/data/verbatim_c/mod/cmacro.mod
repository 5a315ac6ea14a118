: C preprocessor lines in VERBATIM (our own file, written the way published mechanisms use them): an include
: guard around numeric #defines at file level, an #if 0 group holding C bridge could not read, and conditions
: on nocmodl's NRN_VECTORIZED, NEURON's version macros and a platform macro choosing what the C computes.
VERBATIM
#ifndef CMACRO_H
#define CMACRO_H
#define GSCALE 1.5   /* a conductance factor */
#define NSTEP 4
#define VHALF (-40.0)
#endif
#if 0
static double *unused_pointer; /* old code, compiled out */
for (;;) { }
#endif
ENDVERBATIM
NEURON {
  SUFFIX cmacro
  NONSPECIFIC_CURRENT i
  RANGE g, e, scale, level, plat
}
PARAMETER { g = 0.0002 (S/cm2) e = -55 (mV) }
ASSIGNED { v (mV) i (mA/cm2) scale level plat }
INITIAL {
  VERBATIM
#ifdef WIN32
  plat = 1;
#elif defined(__APPLE__)
  plat = 2;
#else
  plat = 3;
#endif
  ENDVERBATIM
}
BREAKPOINT {
  VERBATIM
#if NRN_VECTORIZED
  scale = 2.0;
#else
  scale = GSCALE;
#endif
#if defined(NRN_VERSION_GTEQ_8_2_0) && NRN_VERSION_GTEQ(9, 0, 0) && !NRN_VERSION_LT(8, 2, 0)
  level = NSTEP / 3 + (v > VHALF);
#else
  level = 99;
#endif
#ifndef NRN_MECHANISM_DATA_IS_SOA
  scale = 0;
#endif
  ENDVERBATIM
  i = g * scale * (v - e) * (1 + 0.1 * level)
}
