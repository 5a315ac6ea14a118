TITLE OClamp: single-electrode voltage clamp switched on between two times (bridge built-in)

COMMENT
Written for bridge, with the names, units and defaults of NEURON's built-in
OClamp (src/nrnoc/oclmp.mod, a clamp for optimisation). While switched_on is
nonzero and on <= t <= off [ms], the electrode passes i = (vc - v)/rs [nA]
through the series resistance rs [MOhm] towards the command voltage vc [mV]
(a PARAMETER, so HOC may set or play it); otherwise i = 0. i is an electrode
current (positive depolarises).

As in NEURON, i is evaluated twice per step: in BREAKPOINT (vstim: the current
the cable equation uses) and again once v has been advanced (SOLVE icur METHOD
after_cvode), so the i recorded at t belongs to v(t). The PROCEDUREs keep
NEURON's names, which HOC may call as methods. at_time() only matters to
NEURON's variable step, so it is not called here.
ENDCOMMENT

NEURON {
    POINT_PROCESS OClamp
    ELECTRODE_CURRENT i
    RANGE on, off, rs, vc, i, switched_on
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    rs = 1 (megohm) <1e-9, 1e9>
    on = 0 (ms)
    off = 0 (ms)
    vc (mV)
    switched_on = 0
}

ASSIGNED {
    v (mV)
    i (nA)
    onflag
}

INITIAL {
    onflag = 0
}

BREAKPOINT {
    SOLVE icur METHOD after_cvode
    vstim()
}

PROCEDURE icur() {
    : the clamp current through rs, none while the clamp is off
    i = 0
    if (onflag) {
        i = (vc - v)/rs
    }
}

PROCEDURE vstim() {
    : on from t = on to t = off (both included) when switched on, then the current
    onflag = 0
    if (switched_on && t >= on && t <= off) {
        onflag = 1
    }
    icur()
}
