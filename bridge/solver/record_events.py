"""Which step's values a `Vector.record` with a dt or a time Vector holds (NEURON's record events).

`vec.record(&var, Dt)` (src/nrncvode/netcvode.cpp `VecRecordDt`) and `vec.record(&var, tvec)`
(`VecRecordDiscrete`) do not sample every step: they are events on NEURON's queue. The first is sent at
finitialize() (`record_init`: at t for Dt, at tvec[0] for a time Vector), and each delivery sends the next
(tt + Dt, accumulated in floating point, or the next element of tvec). The fixed step delivers events at
two points (fadvance.cpp `nrn_fixed_step_thread`, `nrn_fixed_step_lastpart`; cvodestb.cpp):

- at finitialize(), those due at t (`nrn_deliver_events`), with the values after the initialization;
- at the start of each step, those due at or before t + dt/2 (`deliver_net_events`), with the values
  the previous step left (the state at t);
- at the end of each step, those due at or before the new t (`nrn_deliver_events`), with the values
  after the step.

So an event at time T takes the values of the first delivery point whose time is >= T: the step time
nearest to T (a tie goes to the earlier), never interpolated. Events due after the run's last step are not
delivered. A Dt recording of `&t` holds the event times themselves (`VecRecordDt::deliver`).
"""

from __future__ import annotations

import numpy as np

from bridge.errors import BridgeError


def delivery_points(times: np.ndarray, mids: np.ndarray, before=None,
                    first: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The delivery points of a run's samples, in order: (time [ms], index of the values delivered). `times[s]`
    is sample s's t (sample 0: finitialize, or frecord_init); `mids[s]` the start of the step that produced
    sample s plus dt/2, as NEURON computes `t + 0.5*dt` (NaN where sample s came from no step: the first).
    At mids[s] the values are those of the step's start: sample s - 1, or `before[s]` where given (an index
    into the caller's values past the samples: HOC changed the model between the two). `first`: sample 0 is
    delivered at its own time (finitialize's `nrn_deliver_events`; not after frecord_init, whose events wait
    for the next step's start)."""
    times = np.asarray(times, float)
    mids = np.asarray(mids, float)
    n = len(times)
    if n == 0:
        return np.zeros(0), np.zeros(0, np.int64)
    pre = ~np.isnan(mids[1:])
    s = np.arange(1, n)
    start = s - 1
    for k, row in (before or {}).items():
        if 1 <= k < n:
            start[k - 1] = row
    # per sample s >= 1: (mid_s, the step's start) when a step produced it, then (t_s, s)
    pairs_t = np.stack([np.where(pre, mids[1:], np.nan), times[1:]], axis=1).reshape(-1)
    pairs_i = np.stack([start, s], axis=1).reshape(-1)
    keep = ~np.isnan(pairs_t)
    til = [times[:1]] if first else []
    idx = [np.zeros(1, np.int64)] if first else []
    return np.concatenate(til + [pairs_t[keep]]), np.concatenate(idx + [pairs_i[keep]]).astype(np.int64)


def _first_at_or_after(til: np.ndarray, event_times: np.ndarray) -> np.ndarray:
    """For each event (in order), the index of the delivery point that delivers it (len(til): never). Each
    event is sent when the one before it is delivered, so it is looked for from that point on."""
    if len(til) == 0 or np.all(np.diff(til) >= 0):
        return np.maximum.accumulate(np.searchsorted(til, event_times, side="left")) if len(event_times) else \
            np.zeros(0, np.int64)
    out = np.empty(len(event_times), np.int64)
    k = 0
    for j, when in enumerate(event_times):
        while k < len(til) and til[k] < when:
            k += 1
        out[j] = k
    return out


def dt_events(t0: float, dt: float, t_last: float, max_events: int) -> np.ndarray:
    """The times of a `VecRecordDt` of interval `dt` [ms] sent from t0, up to the first past `t_last`:
    t0, t0 + dt, (t0 + dt) + dt, ... added one by one in floating point, as `VecRecordDt::deliver` does."""
    if not dt > 0:
        raise BridgeError(f"Vector.record with a dt of {dt:g} ms: the interval must be > 0")
    count = int(np.floor((t_last - t0) / dt)) + 2 if t_last >= t0 else 1
    if count > max_events:
        raise BridgeError(f"Vector.record every {dt:g} ms from t = {t0:g} to {t_last:g} ms records more than "
                          f"{max_events} values (Limits.max_memory)")
    steps = np.full(count, dt)
    steps[0] = t0
    return np.add.accumulate(steps)  # sequential, as NEURON's repeated tt + dt_


def recorded_samples(times, mids, dt: float | None = None, event_times=None, max_events: int = 1 << 27,
                     before=None, first: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(index of the values each delivered event holds, the event times) for a recording with interval `dt`
    [ms] or a time Vector `event_times` [ms], over a run's samples (`delivery_points`, with `before` and
    `first`). Dt events start at the run's first time, times[0]."""
    til, idx = delivery_points(times, mids, before, first)
    if len(til) == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    if dt is not None:
        events = dt_events(float(np.asarray(times, float)[0]), float(dt), float(np.max(til)), max_events)
    else:
        events = np.asarray(event_times if event_times is not None else [], float)
    where = _first_at_or_after(til, events)
    delivered = where < len(til)
    if not delivered.all():  # the first event never delivered ends the recording (the next is never sent)
        n = int(np.argmin(delivered))
        where, events = where[:n], events[:n]
    return idx[where], events
