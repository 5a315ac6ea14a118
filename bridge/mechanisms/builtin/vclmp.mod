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
    : the circuit's three equations solved as NEURON's vclmp.mod solves its LINEAR block: the augmented
    : matrix nocmodl builds (rows vi, vo, e equations; columns vi, vo, e, right-hand side, each entry summed
    : from 0 in nocmodl's term order) and scopmath simeq's Gaussian elimination with partial pivoting
    : (src/scopmath/simeq.hpp; simeq's row indirection is a row swap here: the same operations on the
    : same numbers). The clamp is stiff: a different rounding shows in i multiplied by about gain.
    LOCAL t1, t2, a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, s, x0, x1, x2
    if (t > tc) {
        e0 = 0
        vo0 = 0
        icur = 0
    } else {
        t1 = tau1/dt
        t2 = tau2/dt
        a0 = 0 - 1
        a1 = 0 + fac*1
        a2 = 0
        a3 = 0 - v + fac*v
        b0 = 0
        b1 = 0 - t2*1 - 1
        b2 = 0 - gain*1
        b3 = 0 - t2*vo0
        c0 = 0 - 1 - t1*1
        c1 = 0
        c2 = 0 + 1 + 1 + t1*1
        c3 = 0 - stim - t1*(vi0 - e0) - 0
        : column 0: the pivot row (the first of the largest |entry|) becomes the first
        if (fabs(a0) < fabs(b0)) {
            if (fabs(b0) < fabs(c0)) {
                s = a0
                a0 = c0
                c0 = s
                s = a1
                a1 = c1
                c1 = s
                s = a2
                a2 = c2
                c2 = s
                s = a3
                a3 = c3
                c3 = s
            } else {
                s = a0
                a0 = b0
                b0 = s
                s = a1
                a1 = b1
                b1 = s
                s = a2
                a2 = b2
                b2 = s
                s = a3
                a3 = b3
                b3 = s
            }
        } else if (fabs(a0) < fabs(c0)) {
            s = a0
            a0 = c0
            c0 = s
            s = a1
            a1 = c1
            c1 = s
            s = a2
            a2 = c2
            c2 = s
            s = a3
            a3 = c3
            c3 = s
        }
        a1 = a1/a0
        a2 = a2/a0
        a3 = a3/a0
        b1 = b1 - a1*b0
        b2 = b2 - a2*b0
        b3 = b3 - a3*b0
        c1 = c1 - a1*c0
        c2 = c2 - a2*c0
        c3 = c3 - a3*c0
        : column 1
        if (fabs(b1) < fabs(c1)) {
            s = b1
            b1 = c1
            c1 = s
            s = b2
            b2 = c2
            c2 = s
            s = b3
            b3 = c3
            c3 = s
        }
        b2 = b2/b1
        b3 = b3/b1
        c2 = c2 - b2*c1
        c3 = c3 - b3*c1
        : column 2, then back substitution
        c3 = c3/c2
        x2 = c3
        x1 = b3 - b2*x2
        x0 = a3 - a1*x1 - a2*x2
        if (fabs(a0) < 1e-20 || fabs(b1) < 1e-20 || fabs(c2) < 1e-20) {
            : simeq's ROUNDOFF: NEURON stops the run (abort_run); NaN makes bridge's run name it
            x0 = x0/0
        }
        vi = x0
        vo = x1
        e = x2
        icur = (vo - v)/rstim
    }
}

PROCEDURE update() {
    i = icur()
    e0 = e
    vo0 = vo
    vi0 = vi
}
