: bridge's test mechanism (ours), in the pattern of xtra.mod: its GLOBAL E, written through another mechanism's
: POINTER, shifts a leak's reversal potential; `last` keeps what E was in BEFORE BREAKPOINT
NEURON {
  SUFFIX rdr
  NONSPECIFIC_CURRENT i
  GLOBAL E
  RANGE g, last
}
PARAMETER {
  g = 0.001 (S/cm2)
}
ASSIGNED {
  v (mV)
  i (mA/cm2)
  E (mV)
  last (mV)
}
INITIAL {
  last = E
}
BEFORE BREAKPOINT {
  last = E
}
BREAKPOINT {
  i = g*(v - (-65 + E))
}
