TITLE NetStim: a train of `number` events, `interval` apart, from `start` (bridge built-in)

COMMENT
Written for bridge, with the names, units, defaults and event logic of NEURON's
built-in NetStim (src/nrnoc/netstim.mod): INITIAL schedules a self-event (flag 3)
at start; flag 3 turns the train on and sends flag 1 at once; each flag 1 event
fires (net_event) and schedules the next one `interval` later until `number`
spikes; an external event of positive weight restarts an idle train, of negative
weight stops it. Only the regular train (noise 0) is written here: NEURON draws
the intervals of a noisy train from a random stream, and the solver refuses a
NetStim whose noise is not 0 (bridge.solver.network).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL NetStim
    RANGE interval, number, start
    RANGE noise
    RANDOM ranvar
}

PARAMETER {
    interval = 10 (ms) <1e-9, 1e9>
    number = 10 <0, 1e9>
    start = 50 (ms)
    noise = 0 <0, 1>
}

ASSIGNED {
    event (ms)
    on
    ispike
}

INITIAL {
    seed(0)
    on = 0
    ispike = 0
    if (noise < 0) { noise = 0 }
    if (noise > 1) { noise = 1 }
    if (start >= 0 && number > 0) {
        on = 1
        event = start + invl(interval) - interval*(1. - noise)
        if (event < 0) { event = 0 }
        net_send(event, 3)
    }
}

PROCEDURE init_sequence(t (ms)) {
    if (number > 0) {
        on = 1
        event = 0
        ispike = 0
    }
}

FUNCTION invl(mean (ms)) (ms) {
    if (mean <= 0.) { mean = .01 (ms) }
    if (noise == 0) {
        invl = mean
    } else {
        invl = (1. - noise)*mean + noise*mean*erand()
    }
}

FUNCTION erand() {
    erand = random_negexp(ranvar)
}

PROCEDURE seed(x) {
    random_setseq(ranvar, x)
}

PROCEDURE noiseFromRandom123(id1, id2, id3) {
    random_setids(ranvar, id1, id2, id3)
    random_setseq(ranvar, 0)
}

PROCEDURE next_invl() {
    if (number > 0) { event = invl(interval) }
    if (ispike >= number) { on = 0 }
}

NET_RECEIVE (w) {
    if (flag == 0) {
        if (w > 0 && on == 0) {
            init_sequence(t)
            next_invl()
            event = event - interval*(1. - noise)
            net_send(event, 1)
        } else if (w < 0) {
            on = 0
        }
    }
    if (flag == 3) {
        if (on == 1) {
            init_sequence(t)
            net_send(0, 1)
        }
    }
    if (flag == 1 && on == 1) {
        ispike = ispike + 1
        net_event(t)
        next_invl()
        if (on == 1) { net_send(event, 1) }
    }
}
