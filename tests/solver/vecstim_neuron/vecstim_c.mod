COMMENT
Written for bridge's tests, for the NEURON side only: a VecStim (vs.play(vec), then events at the
Vector's times) as vecevent.mod behaves, so bridge's own vecstim.mod can be compared with it. It reads
the Vector in C (VERBATIM), which bridge refuses: it lives apart from event_mods/.
ENDCOMMENT

NEURON {
    THREADSAFE
    ARTIFICIAL_CELL VecStim
    BBCOREPOINTER ptr
}

ASSIGNED {
    index
    etime (ms)
    ptr
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
VERBATIM
    {
        IvocVect* times = (IvocVect*) _p_ptr;
        int k = (int) index;
        if (k >= 0) {
            if (times && k < vector_capacity(times)) {
                etime = vector_vec(times)[k];
                index += 1.;
            } else {
                index = -1.;
            }
        }
    }
ENDVERBATIM
}

PROCEDURE play() {
VERBATIM
    _p_ptr = ifarg(1) ? (void*) vector_arg(1) : (void*) 0;
ENDVERBATIM
}

VERBATIM
static void bbcore_write(double* x, int* d, int* xx, int* offset, _threadargsproto_) {}
static void bbcore_read(double* x, int* d, int* xx, int* offset, _threadargsproto_) {}
ENDVERBATIM
