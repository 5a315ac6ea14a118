: bridge's test mechanism (ours), in the pattern of ModelDB 190559's fzap.mod: a point process that drives a value
: through its POINTER x (aimed at another mechanism's GLOBAL), switched on and off by self-events whose
: NET_RECEIVE toggles a flag in VERBATIM C; it reads what x holds each step and writes a new value
NEURON {
  POINT_PROCESS Gen
  RANGE amp, w, del, dur, seen
  POINTER x
}
PARAMETER {
  amp = 5 (mV)
  w = 0.8 (/ms)
  del = 2 (ms)
  dur = 6 (ms)
}
ASSIGNED {
  x (mV)
  seen (mV)
  on (1)
}
INITIAL {
  x = 0.5*amp
  seen = x
  on = 0
  net_send(del, 1)
  net_send(del + dur, 1)
}
BEFORE BREAKPOINT {
  seen = x
  if (on == 0) {
    x = 0.7*x
  } else {
    x = 0.7*x + amp*sin(w*(t - del))
  }
}
NET_RECEIVE (wt) {
  LOCAL k
  if (flag == 1) {
VERBATIM
    _lk = 1.0;
    on = (double)(on == 0.0) * _lk;
ENDVERBATIM
  }
}
