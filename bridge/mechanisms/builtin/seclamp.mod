TITLE SEClamp: single-electrode voltage clamp with three levels (bridge built-in)

COMMENT
Written for bridge, with the names, units and defaults of NEURON's built-in
SEClamp. The command voltage vc [mV] is amp1 until dur1, amp2 until
dur1 + dur2, amp3 until dur1 + dur2 + dur3 [ms], after which the clamp is off
(vc = 0, i = 0). While on, the electrode passes i = (vc - v)/rs [nA] through the
series resistance rs [MOhm]; i is an electrode current (positive depolarises).

i is evaluated twice per step, as in NEURON: in BREAKPOINT (the current the cable
equation uses, from v at the start of the step) and again once v has been
advanced (SOLVE ... METHOD after_cvode), so the i recorded at t belongs to v(t).
ENDCOMMENT

NEURON {
    POINT_PROCESS SEClamp
    ELECTRODE_CURRENT i
    RANGE dur1, amp1, dur2, amp2, dur3, amp3, rs, vc, i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    rs = 1 (megohm) <1e-9, 1e9>
    dur1 (ms)
    amp1 (mV)
    dur2 (ms) <0, 1e9>
    amp2 (mV)
    dur3 (ms) <0, 1e9>
    amp3 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    vc (mV)
    tc2 (ms)
    tc3 (ms)
    on
}

INITIAL {
    tc2 = dur1 + dur2
    tc3 = tc2 + dur3
    on = 0
}

BREAKPOINT {
    SOLVE electrode METHOD after_cvode
    command()
}

PROCEDURE electrode() {
    : the clamp current through rs; none while the clamp is off
    if (on) {
        i = (vc - v)/rs
    } else {
        i = 0
    }
}

PROCEDURE command() {
    : the command level at time t, then the current it drives
    on = 1
    if (t < dur1) {
        vc = amp1
    } else if (t < tc2) {
        vc = amp2
    } else if (t < tc3) {
        vc = amp3
    } else {
        vc = 0
        on = 0
    }
    electrode()
}
