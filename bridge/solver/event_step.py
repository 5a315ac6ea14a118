"""A step's two deliveries from one call site, so that each NET_RECEIVE is traced once per model.

NEURON delivers at three places: finitialize (events <= 0), the start of a step (cvodestb.cpp
`deliver_net_events`: thresholds, then events <= t + dt/2) and its end (fadvance.cpp
`nrn_fixed_step_lastpart`: events <= the new t). Each call of `deliver` traces (and XLA compiles) every
receiver's NET_RECEIVE, so three call sites compiled it three times. bridge.solver.integrate runs one more
scan iteration than steps: iteration k delivers the events ending step k - 1 (k = 0: finitialize's), takes the
sample and the threshold check, delivers the events <= t + dt/2 and runs step k. The two deliveries are the
two turns of one loop (`deliveries`), with what comes between them in a `cond` taken on the first turn; the
step itself stays outside any branch, so its arithmetic compiles as before and results are the same bits.
The loop's index does not depend on the batch, so under `vmap` the cond stays a branch.
"""

from __future__ import annotations

from collections.abc import Callable

import jax

from bridge.solver.event_delivery import deliver
from bridge.solver.events import Context


def deliveries(ctx: Context, carry: tuple, half: jax.Array, between: Callable[[tuple], tuple]) -> tuple:
    """carry = (state, buf, extra): deliver the events with time <= t + half[0] [ms], run `between(carry)`,
    deliver the events with time <= t + half[1] (t the state's time then; -inf delivers nothing)."""
    def turn(p, c):
        st, b = deliver(ctx, c[0], c[1], c[0]["t"] + half[p])
        return jax.lax.cond(p == 0, between, lambda c: c, (st, b, c[2]))

    return jax.lax.fori_loop(0, 2, turn, carry)
