TITLE VecStim: an artificial cell that fires at given times (bridge built-in)

COMMENT
Written for bridge with the name and behaviour of the VecStim of NEURON's vecevent.mod (the file
NEURON's examples and many published models carry), which reads its times from a HOC Vector in C
(VERBATIM). Here the times are a per-cell array parameter: the first `ntimes` entries of `times`
[ms]. bridge sizes `times` to the longest list of the network (bridge.nmodl.vecstim; this file's
size is the default) and sets `ntimes` from it: HOC's `vs.play(vec)` gives
`bridge.nmodl.vecstim.vecstim_cell(vec)`.

As vecevent.mod: INITIAL takes the first time and queues a self-event (flag 1) there; each flag-1
event fires the cell (net_event) and queues the next time. `index` is the next entry to read (-1:
none left). Times must be sorted and >= t when read (NEURON stops on a net_send into the past).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL VecStim
    RANGE ntimes, times
}

PARAMETER {
    ntimes = 0
    times[1] (ms)
}

ASSIGNED {
    index
    etime (ms)
}

INITIAL {
    index = 0
    element()
    if (index > 0) {
        net_send(etime - t, 1)
    }
}

NET_RECEIVE (w) {
    if (flag == 1) {
        net_event(t)
        element()
        if (index > 0) {
            net_send(etime - t, 1)
        }
    }
}

PROCEDURE element() {
    : the next time into etime (index advances), or index = -1 when none is left
    if (index >= 0) {
        if (index < ntimes) {
            etime = times[index]
            index = index + 1
        } else {
            index = -1
        }
    }
}
