TITLE C switch, array elements and an assignment in an if's condition (the Borg-Graham channels' VERBATIM)

COMMENT
Our own potassium-like channel written the way bg.inc (ModelDB 7399, 7400, 12631, 52034, 136095) computes its
time constants: a PROCEDURE with a TABLE whose FROM loop over the gates holds VERBATIM C

    switch (_lj) { case 0: if ((Tau[_lj] = 1 / (_la + _lb)) < mbasetau) { Tau[_lj] = mbasetau; } ... break; ... }

on GLOBAL arrays; and a second PROCEDURE, no TABLE, whose C switch has stacked labels, a negative label, a
default group and an assignment to a LOCAL compared in an if, over a FROM loop from -1 to 4. As bg.inc, INITIAL
reads the TABLE's switch `usetable` (nocmodl's PARAMETER, HOC's usetable_cswitch) and BREAKPOINT raises h to the
power hexp in a FROM loop whose bound is that GLOBAL (a LOCAL set to 1 before it, to a per-instance value in it).
ENDCOMMENT

NEURON {
    SUFFIX cswitch
    USEION k READ ek WRITE ik
    RANGE gbar, g, acc, tsave
    GLOBAL Inf, Tau, Mult, Add, mbasetau, hbasetau, hexp
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gbar = 0.02 (mho/cm2)
    mbasetau = 0.6 (ms)
    hbasetau = 4 (ms)
    hexp = 1
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    g (mho/cm2)
    acc
    tsave (ms)
    Inf[2]
    Tau[2]
    Mult[2]
    Add[2]
}

STATE { m h }

INITIAL {
    gates(v)
    if (usetable == 0) {
        m = Inf[0]
        h = Inf[1]
    } else {
        m = Add[0] / (1 - Mult[0])
        h = Add[1] / (1 - Mult[1])
    }
    mix(v)
}

BREAKPOINT {
    LOCAL hexp_val, index
    SOLVE states
    hexp_val = 1
    if (hexp > 0) {
        FROM index = 1 TO hexp {
            hexp_val = h * hexp_val
        }
    }
    g = gbar * m * m * m * m * hexp_val
    ik = g * (v - ek)
}

PROCEDURE states() {
    gates(v)
    m = m * Mult[0] + Add[0]
    h = h * Mult[1] + Add[1]
    mix(v)
    VERBATIM
    return 0;
    ENDVERBATIM
}

FUNCTION alpha(v (mV), j) {
    if (j == 1) {
        alpha = 0.02 * exp(-(v + 55) / 12)
    } else {
        alpha = 0.3 * exp((v + 40) / 10)
    }
}

FUNCTION beta(v (mV), j) {
    if (j == 1) {
        beta = 0.05 * exp((v + 55) / 15)
    } else {
        beta = 0.1 * exp(-(v + 40) / 22)
    }
}

PROCEDURE gates(v (mV)) {
    LOCAL a, b, j, mq, hq
    TABLE Add, Mult DEPEND dt, mbasetau, hbasetau, hexp FROM -100 TO 60 WITH 320
    mq = 1.5
    hq = 1.25
    FROM j = 0 TO 1 {
        a = alpha(v, j)
        b = beta(v, j)
        Inf[j] = a / (a + b)
        VERBATIM
        switch (_lj) {
            case 0:
                /* Tau not below its base value */
                if ((Tau[_lj] = 1 / (_la + _lb)) < mbasetau) {
                    Tau[_lj] = mbasetau;
                }
                Tau[_lj] = Tau[_lj] / _lmq;
                break;
            case 1:
                if ((Tau[_lj] = 1 / (_la + _lb)) < hbasetau) {
                    Tau[_lj] = hbasetau;
                }
                Tau[_lj] = Tau[_lj] / _lhq;
                if (hexp==0) {
                    Tau[_lj] = 1.; }
                break;
        }
        ENDVERBATIM
        Mult[j] = exp(-dt / Tau[j])
        Add[j] = Inf[j] * (1. - exp(-dt / Tau[j]))
    }
}

PROCEDURE mix(v (mV)) {
    LOCAL k, q, x
    acc = 0
    x = (v + 70) / 20
    FROM k = 0 - 1 TO 4 {
        VERBATIM
        switch (_lk) {
            case -1:
                acc += 0.5;
                break;
            case 0:
                if (1.5 < (_lq = _lx * _lx)) {
                    acc += _lq;
                } else {
                    acc -= _lq;
                }
                break;
            case 2:
            case 3:
                acc = acc * 1.25 + _lk;
                break;
            default:
                if ((tsave = Tau[1]) >= 5) acc += 1; else acc -= 2;
        }
        ENDVERBATIM
    }
}
