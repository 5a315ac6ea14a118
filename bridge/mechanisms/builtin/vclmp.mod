TITLE VClamp: two-electrode voltage clamp with three levels (bridge built-in)

COMMENT
Written for bridge, with the names, units and defaults of NEURON's built-in VClamp
(NEURON's src/nrnoc/vclmp.mod describes the circuit). HOC's dur[0..2] and amp[0..2]
are dur0..dur2 and amp0..amp2 here (bridge.hoc.point_process ARRAY_PARAMETERS).

The clamp is on from t = 0 until dur0 + dur1 + dur2 [ms]; its command stim [mV] is
amp0, amp1, amp2 in turn. Three amplifier voltages [mV] are STATEs: e (the gain
amplifier's input), vo (its output) and vi (the measuring amplifier's output). Each
evaluation solves, by backward Euler over dt with the values at the last step's end
e0, vo0, vi0, the three linear equations of the circuit

    vi = v + fac*(vo - v)
    (1 + tau2/dt)*vo = (tau2/dt)*vo0 - gain*e
    (1 + tau1/dt)*vi - (2 + tau1/dt)*e = stim + (tau1/dt)*(vi0 - e0)

and passes i = (vo - v)/rstim [nA] into the cell (an electrode current: positive
depolarises). The command (stim and the end time tc) is set in BREAKPOINT, at the
middle of the step; after v is advanced (SOLVE ... METHOD after_cvode) the circuit is
solved again at the new v, so the recorded i belongs to v(t), and e0, vo0, vi0 move on.
Once off, i = 0 and e0 = vo0 = 0. As in NEURON, use it with secondorder = 0 and the
fixed step only (the circuit is stiff).
ENDCOMMENT

NEURON {
    POINT_PROCESS VClamp
    ELECTRODE_CURRENT i
    RANGE e0, vo0, vi0, dur0, dur1, dur2, amp0, amp1, amp2, gain, rstim, tau1, tau2, fac, i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    dur0 (ms) <0, 1e9>
    dur1 (ms) <0, 1e9>
    dur2 (ms) <0, 1e9>
    amp0 (mV)
    amp1 (mV)
    amp2 (mV)
    gain = 1e5 <0, 1e9>
    rstim = 1 (megohm) <1e-9, 1e9>
    tau1 = .001 (ms) <0, 1e9>
    tau2 = 0 (ms) <0, 1e9>
    fac = 0 <1, 10>
}

ASSIGNED {
    v (mV)
    dt (ms)
    i (nA)
    stim (mV)
    tc (ms)
    e0 (mV)
    vo0 (mV)
    vi0 (mV)
}

STATE {
    e (mV)
    vo (mV)
    vi (mV)
}

INITIAL {
    e0 = 0
    vo = v
    vo0 = v
    vi = v
    vi0 = v
    e = 0
}

BREAKPOINT {
    SOLVE update METHOD after_cvode
    command()
    i = icur()
}

PROCEDURE command() {
    : the level at time t; tc is past the clamp's end while it is on
    tc = dur0
    stim = amp0
    if (t < tc) {
        tc = tc + 100
    } else {
        tc = tc + dur1
        stim = amp1
        if (t < tc) {
            tc = tc + 100
        } else {
            tc = tc + dur2
            stim = amp2
            if (t < tc) {
                tc = tc + 100
            }
        }
    }
}

FUNCTION icur() (nA) {
    if (t > tc) {
        e0 = 0
        vo0 = 0
        icur = 0
    } else {
        SOLVE clamp
        icur = (vo - v)/rstim
    }
}

LINEAR clamp {
    : the circuit's three equations (module comment), written so that nocmodl's matrix (rows in this order;
    : columns vi, vo, e; each entry summed in the terms' order) is the one NEURON's vclmp.mod builds, solved
    : by scopmath simeq (bridge.nmodl.runtime.simeq). The clamp is stiff: a different rounding shows in i
    : multiplied by about gain.
    LOCAL t1, t2
    t1 = tau1/dt
    t2 = tau2/dt
    ~ vi = v + fac*vo - fac*v
    ~ t2*vo + vo + gain*e = t2*vo0
    ~ vi + t1*vi = e + e + t1*e + stim + t1*(vi0 - e0)
}

PROCEDURE update() {
    i = icur()
    e0 = e
    vo0 = vo
    vi0 = vi
}
